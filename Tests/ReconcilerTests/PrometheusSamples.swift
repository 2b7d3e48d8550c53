import Foundation
import TestSupport

/// Samples of a metrics file as the reference parser (`prometheus_client`, run in python3)
/// reads them, so a file it would reject fails the test.
struct PrometheusSamples {
    struct Sample: Decodable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    let samples: [Sample]

    /// The value of the one sample of `name` with exactly `labels`.
    func value(_ name: String, _ labels: [String: String]) -> Double? {
        let matching = samples.filter { $0.name == name && $0.labels == labels }
        return matching.count == 1 ? matching.first?.value : nil
    }

    static func parse(_ text: String) throws -> PrometheusSamples {
        let python = try ServerBinary.require("python3")
        if !(try ChildProcess.run([python, "-c", "import prometheus_client"]).succeeded) {
            try ChildProcess.check([python, "-m", "pip", "install", "--quiet", "prometheus_client"], timeout: 300)
        }
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            print(json.dumps([{"name": s.name, "labels": s.labels, "value": s.value}
                              for f in text_string_to_metric_families(sys.stdin.read()) for s in f.samples]))
            """
        let result = try ChildProcess.run([python, "-c", script], input: Data(text.utf8))
        guard result.succeeded else { throw ParserRejected(stderr: result.stderr) }
        return PrometheusSamples(samples: try JSONDecoder().decode([Sample].self, from: Data(result.stdout.utf8)))
    }

    struct ParserRejected: Error, CustomStringConvertible {
        let stderr: String
        var description: String { "prometheus_client rejected the metrics file: \(stderr)" }
    }
}
