import Foundation
import TestSupport

/// The reference Prometheus text-format parser (`prometheus_client` from PyPI), run in a
/// python3 child; installed with pip when missing.
enum PythonPrometheusParser {
    struct Sample: Decodable, Hashable {
        let family: String
        let type: String
        let name: String
        let labels: [String: String]
        let value: Double
    }

    static let script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = []
        for family in text_string_to_metric_families(sys.stdin.read()):
            for s in family.samples:
                out.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value})
        print(json.dumps(out))
        """

    static func ensureInstalled() throws {
        let python = try ServerBinary.require("python3")
        if try ChildProcess.run([python, "-c", "import prometheus_client"]).succeeded { return }
        try ChildProcess.check([python, "-m", "pip", "install", "--quiet", "prometheus_client"], timeout: 300)
    }

    /// Parses `text`; throws with the parser's message when it rejects it.
    static func parse(_ text: String) throws -> [Sample] {
        try ensureInstalled()
        let python = try ServerBinary.require("python3")
        let result = try ChildProcess.run([python, "-c", script], input: Data(text.utf8))
        guard result.succeeded else {
            throw ParserRejected(stderr: result.stderr)
        }
        return try JSONDecoder().decode([Sample].self, from: Data(result.stdout.utf8))
    }
}

struct ParserRejected: Error, CustomStringConvertible {
    let stderr: String
    var description: String { "prometheus_client rejected the text: \(stderr)" }
}
