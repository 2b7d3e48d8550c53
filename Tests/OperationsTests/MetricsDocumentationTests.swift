import Foundation
import Reconciler
import Testing

/// docs/metrics.md and the metrics file agree: every metric its table documents is written
/// (with the labels it lists), and every metric written is documented.
@Suite struct MetricsDocumentationTests {
    /// `name -> labels` from the rows of the table in docs/metrics.md.
    static func documented() throws -> [String: Set<String>] {
        let text = try String(contentsOfFile: PackageRoot.url.path + "/docs/metrics.md", encoding: .utf8)
        var table: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `reconcile_") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else { continue }
            let name = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let labels = cells[1].split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            }
            table[name] = Set(labels)
        }
        return table
    }

    /// A run that writes every metric there is: findings, probes, a checkout, a check not run,
    /// an authoritative server.
    static func everything() -> MetricsSnapshot {
        var snapshot = MetricsSnapshot(
            mode: "plan",
            findings: [Finding(kind: .addressNotOnHost, vhost: "2001:db8::10", family: .ipv6, message: "not here")],
            startedAt: MetricsTests.started, finishedAt: MetricsTests.started.addingTimeInterval(1), success: true,
            probes: [.init(vhost: "example.social", family: "ipv6", port: 443, success: true)],
            desiredCommit: "0123abcd")
        snapshot.checksNotRun = ["config-not-loaded"]
        snapshot.nameservers = [.init(zone: "example.social.", server: "127.0.0.1:53", serial: 7, agrees: true)]
        return snapshot
    }

    @Test func everyDocumentedMetricIsWrittenWithItsLabels() throws {
        let documented = try Self.documented()
        #expect(documented.count >= 10)
        let samples = try PythonPrometheusParser.parse(Self.everything().prometheusText())
        let written = Dictionary(grouping: samples, by: \.name).mapValues { Set($0.flatMap(\.labels.keys)) }
        for (name, labels) in documented {
            #expect(
                written[name] == labels,
                "\(name): documented labels \(labels.sorted()), written \(written[name]?.sorted() ?? [])")
        }
        for name in written.keys {
            #expect(documented[name] != nil, "\(name) is written but not documented in docs/metrics.md")
        }
    }

    /// What the docs say of `family` and of `reconcile_desired_state_info`.
    @Test func familyAndCommitAreAsDocumented() throws {
        let samples = try PythonPrometheusParser.parse(Self.everything().prometheusText())
        let addressFinding = samples.first {
            $0.name == "reconcile_findings" && $0.labels["slug"] == "address-not-on-host"
        }
        #expect(addressFinding?.labels["family"] == "ipv6")
        var outsideACheckout = Self.everything()
        outsideACheckout.desiredCommit = nil
        #expect(!outsideACheckout.prometheusText().contains("reconcile_desired_state_info"))
    }
}
