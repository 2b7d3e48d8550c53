import ArgumentParser
import DesiredState
import Foundation
import TestSupport

/// `reconcile-bench yaml`: load a generated desired state of N vhosts (DESIGN §12).
struct YAMLBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "yaml",
        abstract: "Load and validate a generated desired state of N vhosts (files of 1,000 vhosts).")

    @Option(help: "Number of vhosts to generate.") var vhosts = 20000
    @Option(help: "Measured runs (the median is reported).") var iterations = 7

    func run() throws {
        let dir = try TemporaryDirectory(prefix: "reconcile-bench-yaml")
        try dir.write(
            "desired/reconcile.yaml",
            """
            host: {ipv4: [203.0.113.10], ipv6: [2001:db8::10]}
            nginx: {config: ../nginx/nginx.conf}
            dns: {provider: rfc2136, server: "[::1]:53", zones: [example.social], ttl: 300}

            """)
        var bytes = 0
        for chunk in stride(from: 0, to: vhosts, by: 1000) {
            var text = "vhosts:\n"
            for i in chunk..<min(chunk + 1000, vhosts) {
                let families = i % 10 == 0 ? "[ipv4]" : "[ipv4, ipv6]"
                text += "  vhost\(i).example.social: {families: \(families), ports: [80, 443]}\n"
            }
            bytes += text.utf8.count
            try dir.write("desired/vhosts/\(String(format: "%05d", chunk / 1000)).yaml", text)
        }
        let loader = DesiredStateLoader()
        var loaded = 0
        let samples = try Measurement.time(iterations: iterations) {
            loaded = try loader.load(directory: dir.path + "/desired").vhosts.count
        }
        guard loaded == vhosts else { throw ValidationError("loaded \(loaded) vhosts, generated \(vhosts)") }
        let median = Measurement.median(samples)
        let rss = Measurement.peakRSSMiB()
        Measurement.report(
            rows: [
                ("vhosts", "\(vhosts)"),
                ("files", "\((vhosts + 999) / 1000 + 1)"),
                ("bytes", "\(bytes)"),
                (
                    "load median",
                    "\(Measurement.fmt(median)) ms (\(iterations) runs, min \(Measurement.fmt(samples.min() ?? 0)), max \(Measurement.fmt(samples.max() ?? 0)))"
                ),
                ("peak RSS", "\(Measurement.fmt(rss)) MiB"),
            ],
            json: [
                "bench": "yaml", "vhosts": vhosts, "bytes": bytes, "median_ms": median,
                "min_ms": samples.min() ?? 0, "max_ms": samples.max() ?? 0, "peak_rss_mb": rss,
            ])
    }
}
