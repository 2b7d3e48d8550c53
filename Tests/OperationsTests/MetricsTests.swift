import Foundation
import Probe
import Reconciler
import TestSupport
import Testing

@Suite struct MetricsTests {
    static let started = Date(timeIntervalSince1970: 1_764_000_000)

    static func snapshot() -> MetricsSnapshot {
        MetricsSnapshot(
            mode: "plan",
            findings: [
                Finding(
                    kind: .advertisedNotServed, vhost: "media.example.social", family: .ipv6, port: 443, message: "x"),
                Finding(
                    kind: .advertisedNotServed, vhost: "media.example.social", family: .ipv6, port: 8443, message: "y"),
                Finding(kind: .missingRecord, vhost: "example.social", family: .ipv4, port: 443, message: "z"),
                Finding(kind: .addressNotOnHost, vhost: "2001:db8::10", message: "not here"),
                Finding(kind: .unmanagedVhost, vhost: "odd\"name\\with\nbreak.example.social", message: "w"),
            ],
            startedAt: started, finishedAt: started.addingTimeInterval(1.25), success: true,
            probes: [
                .init(vhost: "media.example.social", family: "ipv6", port: 443, success: false),
                .init(vhost: "media.example.social", family: "ipv4", port: 443, success: true),
            ],
            changesApplied: 0, desiredCommit: "0123abcd")
    }

    @Test
    func realPrometheusParserReadsEveryFamilyAndLabel() throws {
        let samples = try PythonPrometheusParser.parse(Self.snapshot().prometheusText())
        func value(_ name: String, _ labels: [String: String]) -> Double? {
            samples.first { $0.name == name && $0.labels == labels }?.value
        }
        #expect(
            value(
                "reconcile_findings",
                [
                    "mode": "plan", "vhost": "media.example.social", "family": "ipv6", "code": "RC001",
                    "slug": "advertised-not-served", "severity": "critical",
                ]) == 2)
        #expect(
            value(
                "reconcile_findings",
                [
                    "mode": "plan", "vhost": "2001:db8::10", "family": "", "code": "RC009",
                    "slug": "address-not-on-host",
                    "severity": "warning",
                ]) == 1)
        // Quotes, backslashes and line feeds survive the round trip.
        #expect(samples.contains { $0.labels["vhost"] == "odd\"name\\with\nbreak.example.social" })
        #expect(value("reconcile_last_run_timestamp_seconds", ["mode": "plan"]) == 1_764_000_001.25)
        #expect(value("reconcile_last_run_success", ["mode": "plan"]) == 1)
        #expect(value("reconcile_in_sync", ["mode": "plan"]) == 0)
        #expect(value("reconcile_run_duration_seconds", ["mode": "plan"]) == 1.25)
        #expect(value("reconcile_changes_applied", ["mode": "plan"]) == 0)
        #expect(
            value(
                "reconcile_probe_success",
                ["mode": "plan", "vhost": "media.example.social", "family": "ipv6", "port": "443"])
                == 0)
        #expect(
            value(
                "reconcile_probe_success",
                ["mode": "plan", "vhost": "media.example.social", "family": "ipv4", "port": "443"])
                == 1)
        #expect(value("reconcile_desired_state_info", ["mode": "plan", "commit": "0123abcd"]) == 1)
        #expect(Set(samples.map(\.type)) == ["gauge"])
    }

    @Test
    func cleanRunHasNoFindingSeriesAndIsInSync() throws {
        let snapshot = MetricsSnapshot(
            mode: "apply", findings: [Finding(kind: .unmanagedVhost, vhost: "x.example.social", message: "m")],
            startedAt: Self.started, finishedAt: Self.started, success: true, changesApplied: 3)
        let samples = try PythonPrometheusParser.parse(snapshot.prometheusText())
        #expect(samples.first { $0.name == "reconcile_in_sync" }?.value == 1)
        #expect(samples.first { $0.name == "reconcile_changes_applied" }?.value == 3)
        #expect(samples.first { $0.name == "reconcile_pending_reloads" }?.value == 0)
        #expect(!samples.contains { $0.name == "reconcile_probe_success" })
    }

    @Test
    func aReloadAnInterruptedApplyOwesIsNotInSync() throws {
        let snapshot = MetricsSnapshot(
            mode: "plan", findings: [], startedAt: Self.started, finishedAt: Self.started, success: true,
            pendingReloads: 1)
        let samples = try PythonPrometheusParser.parse(snapshot.prometheusText())
        #expect(samples.first { $0.name == "reconcile_in_sync" }?.value == 0)
        #expect(samples.first { $0.name == "reconcile_pending_reloads" }?.value == 1)
    }

    @Test func probeResultsBecomeSamples() {
        let target = ProbeTarget(vhost: "media.example.social", family: .ipv6, address: "::1", port: 443, tls: true)
        let failed = MetricsSnapshot.ProbeSample(ProbeResult(target: target, outcome: .failed(.connectionRefused)))
        #expect(failed == .init(vhost: "media.example.social", family: "ipv6", port: 443, success: false))
        let ok = MetricsSnapshot.ProbeSample(ProbeResult(target: target, outcome: .ok(status: 200, elapsed: .zero)))
        #expect(ok.success)
    }

    @Test func everyFamilyHasHelpAndTypeBeforeItsSamples() {
        let lines = Self.snapshot().prometheusText().split(separator: "\n")
        var typed = Set<Substring>()
        for line in lines {
            if line.hasPrefix("# TYPE ") {
                typed.insert(line.split(separator: " ")[2])
            } else if !line.hasPrefix("#") {
                let name = line.prefix { $0 != "{" && $0 != " " }
                #expect(typed.contains(name), "\(name) sampled before its # TYPE")
                #expect(name.allSatisfy { $0.isLowercase || $0 == "_" }, "\(name) is not snake_case")
            }
        }
    }

    @Test func fileIsWrittenWithMode0644AndReplacedWhole() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("reconcile.prom").path
        try MetricsFile.write("a 1\n", to: path)
        try MetricsFile.write("b 2\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "b 2\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0 != "reconcile.prom"
        }
        #expect(leftovers.isEmpty)
    }

    @Test func unwritableDirectoryIsAnErrorNamingThePath() throws {
        #expect {
            try MetricsFile.write("a 1\n", to: "/nonexistent-dir/reconcile.prom")
        } throws: { error in
            "\(error)".hasPrefix("/nonexistent-dir/reconcile.prom: cannot write:")
        }
    }

    @Test func concurrentReaderNeverSeesAHalfWrittenFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("reconcile.prom").path
        // Two versions large enough that a torn write would show (hundreds of KiB each).
        let versions = ["a", "b"].map { tag in
            (0..<20_000).map { "reconcile_test{n=\"\($0)\",v=\"\(tag)\"} \($0)\n" }.joined()
        }
        try MetricsFile.write(versions[0], to: path)
        let tally = ReadTally()
        // A thread of its own, so the reader runs while the writer loops, whatever the pool does.
        let reader = Thread {
            while !tally.stopped {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
                tally.record(torn: text != versions[0] && text != versions[1])
            }
            tally.finish()
        }
        reader.start()
        var round = 0
        while round < 200 || (tally.reads < 50 && round < 5000) {
            try MetricsFile.write(versions[round % 2], to: path)
            round += 1
        }
        tally.stop()
        tally.waitUntilFinished()
        #expect(tally.reads >= 50, "the reader should have overlapped the writes")
        #expect(tally.torn == 0)
    }
}

/// Counts the concurrent reader's reads, shared between it and the test.
final class ReadTally: @unchecked Sendable {
    private let condition = NSCondition()
    private var readCount = 0
    private var tornCount = 0
    private var stopRequested = false
    private var finished = false

    var reads: Int { condition.withLock { readCount } }
    var torn: Int { condition.withLock { tornCount } }
    var stopped: Bool { condition.withLock { stopRequested } }

    func record(torn: Bool) {
        condition.withLock {
            readCount += 1
            if torn { tornCount += 1 }
        }
    }

    func stop() { condition.withLock { stopRequested = true } }

    func finish() {
        condition.withLock {
            finished = true
            condition.broadcast()
        }
    }

    func waitUntilFinished() {
        condition.withLock {
            while !finished { condition.wait() }
        }
    }
}
