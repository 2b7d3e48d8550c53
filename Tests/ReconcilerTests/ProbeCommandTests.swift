import DNS
import DesiredState
import Foundation
import Nginx
import Probe
import Reconciler
import TestSupport
import Testing

/// `reconcile probe`, `plan --probe` and `--metrics-file`, run as the real binary against the
/// §1 outage live (real nginx with TLS on 127.0.0.1 and [::1], real named).
@Suite(.serialized)
struct ProbeCommandTests {
    static func outageLab() throws -> OutageLab {
        try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media], records: OutageSites.records,
            vhosts: OutageSites.dualStack)
    }

    @Test func probeShowsIPv6DownUntilApplyAddsTheListen() async throws {
        let lab = try Self.outageLab()
        defer { lab.stop() }
        let ca = try lab.certificateBundle()

        let text = try lab.reconcile(["probe", "--ca-file", ca, "--timeout", "5"])
        #expect(text.status == 2, "\(text.stdout)\n\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        let media6 = try #require(lines.first { Self.fields($0).starts(with: ["media.example.social", "ipv6"]) })
        #expect(Self.fields(media6).prefix(4) == ["media.example.social", "ipv6", "\(lab.port)", "[::1]"])
        // nginx hands [::1] to example.social's block, whose certificate does not name media.
        #expect(
            media6.hasSuffix("certificate does not cover media.example.social (it covers example.social)"), "\(media6)")
        let media4 = try #require(lines.first { Self.fields($0).starts(with: ["media.example.social", "ipv4"]) })
        #expect(media4.contains("127.0.0.1  ok (HTTP 200"), "\(media4)")
        #expect(lines.filter { $0.contains(" ok (HTTP 200") }.count == 3)
        #expect(lines.last == "1 of 4 probes failed: media.example.social ipv6 \(lab.port).")

        let json = try lab.reconcile(["probe", "--ca-file", ca, "--format", "json"])
        #expect(json.status == 2, "\(json.stderr)")
        let report = try Self.object(json.stdout)
        #expect(report["schema"] as? Int == 1)
        #expect(report["reachable"] as? Bool == false)
        let probes = try #require(report["probes"] as? [[String: Any]])
        #expect(
            probes.map { "\($0["vhost"] ?? "") \($0["family"] ?? "")" } == [
                "example.social ipv4", "example.social ipv6", "media.example.social ipv4", "media.example.social ipv6",
            ])
        #expect(probes.allSatisfy { $0["tls"] as? Bool == true && $0["port"] as? Int == Int(lab.port) })
        #expect(probes.map { $0["reachable"] as? Bool } == [true, true, true, false])
        #expect(probes[2]["status"] as? Int == 200)
        #expect((probes[3]["error"] as? String)?.contains("certificate does not cover media.example.social") == true)

        // Without the lab's certificates the chain is not trusted, and the line says what to pass.
        let untrusted = try lab.reconcile(["probe"])
        #expect(untrusted.status == 2)
        #expect(untrusted.stdout.contains("a private CA is given with --ca-file"), "\(untrusted.stdout)")

        let plan = try lab.reconcile(["plan", "--probe", "--ca-file", ca, "--format", "json"])
        #expect(plan.status == 2, "\(plan.stderr)")
        let findings = try #require(try Self.object(plan.stdout)["findings"] as? [[String: Any]])
        let unreachable = findings.filter { $0["slug"] as? String == "unreachable" }
        #expect(unreachable.count == 1)
        #expect(unreachable.first?["vhost"] as? String == "media.example.social")
        #expect(unreachable.first?["family"] as? String == "ipv6")
        #expect(unreachable.first?["port"] as? Int == Int(lab.port))
        #expect(unreachable.first?["severity"] as? String == "critical")
        #expect(findings.contains { $0["slug"] as? String == "advertised-not-served" })
        let planText = try lab.reconcile(["plan", "--probe", "--ca-file", ca])
        #expect(planText.status == 2)
        #expect(planText.stdout.contains("unreachable"), "\(planText.stdout)")
        // Probing is only done when asked for.
        let plain = try lab.reconcile(["plan", "--format", "json"])
        let plainFindings = try #require(try Self.object(plain.stdout)["findings"] as? [[String: Any]])
        #expect(!plainFindings.contains { $0["slug"] as? String == "unreachable" })

        let apply = try lab.reconcile(["apply", "--yes", "--metrics-file", lab.dir.path + "/apply.prom"])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        let applied = try Self.metrics(lab.dir.path + "/apply.prom")
        #expect(applied.value("reconcile_changes_applied", ["mode": "apply"]) == 1)
        #expect(applied.value("reconcile_last_run_success", ["mode": "apply"]) == 1)

        let after = try lab.reconcile(["probe", "--ca-file", ca, "--metrics-file", lab.dir.path + "/probe.prom"])
        #expect(after.status == 0, "\(after.stdout)\n\(after.stderr)")
        #expect(after.stdout.split(separator: "\n").last == "All 4 probes answered.")
        let probed = try Self.metrics(lab.dir.path + "/probe.prom")
        let success = probed.samples.filter { $0.name == "reconcile_probe_success" }
        #expect(success.count == 4)
        #expect(
            success.allSatisfy { $0.value == 1 && $0.labels["mode"] == "probe" && $0.labels["port"] == "\(lab.port)" })
        #expect(probed.value("reconcile_in_sync", ["mode": "probe"]) == 1)
        let planAfter = try lab.reconcile(["plan", "--probe", "--ca-file", ca])
        #expect(planAfter.status == 0, "\(planAfter.stdout)")
    }

    @Test func metricsFileAfterPlanCarriesTheOutageAndTheCommit() async throws {
        let lab = try Self.outageLab()
        defer { lab.stop() }
        let commit = try lab.commitDesiredState()

        let path = lab.dir.path + "/metrics/reconcile-plan.prom"
        try FileManager.default.createDirectory(atPath: lab.dir.path + "/metrics", withIntermediateDirectories: true)
        let plan = try lab.reconcile(["plan", "--metrics-file", path])
        #expect(plan.status == 2, "\(plan.stderr)")
        // The text header and the JSON name the desired state's commit.
        #expect(plan.stdout.contains("git \(commit.prefix(12))"), "\(plan.stdout)")
        let json = try lab.reconcile(["plan", "--format", "json"])
        let desired = try #require(try Self.object(json.stdout)["desired"] as? [String: Any])
        #expect(desired["git_commit"] as? String == commit)

        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("slug=\"advertised-not-served\""))
        let metrics = try Self.metrics(path)
        let outage = metrics.samples.filter {
            $0.name == "reconcile_findings" && $0.labels["slug"] == "advertised-not-served"
        }
        #expect(outage.count == 1)
        #expect(outage.first?.value == 1)
        #expect(outage.first?.labels["vhost"] == "media.example.social")
        #expect(outage.first?.labels["family"] == "ipv6")
        #expect(outage.first?.labels["code"] == "RC001")
        #expect(outage.first?.labels["mode"] == "plan")
        #expect(metrics.value("reconcile_last_run_success", ["mode": "plan"]) == 1)
        #expect(metrics.value("reconcile_in_sync", ["mode": "plan"]) == 0)
        #expect(metrics.value("reconcile_changes_applied", ["mode": "plan"]) == 0)
        #expect(metrics.value("reconcile_desired_state_info", ["mode": "plan", "commit": commit]) == 1)
        #expect(!metrics.samples.contains { $0.name == "reconcile_probe_success" })
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o644)

        // The journal of an apply records the same commit.
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        let journal = try String(contentsOfFile: lab.dir.path + "/state/journal.jsonl", encoding: .utf8)
        #expect(journal.contains("\"git_commit\":\"\(commit)\""), "\(journal)")
    }

    @Test func failedRunsStillWriteTheirMetrics() async throws {
        let lab = try Self.outageLab()
        defer { lab.stop() }
        // Nothing answers DNS there: plan cannot read the zone and fails.
        var silent = LoopbackPort.free()
        while silent == lab.named.port { silent = LoopbackPort.free() }
        try lab.writeDesired(vhosts: OutageSites.dualStack, dnsPort: silent)
        let commit = try lab.commitDesiredState()

        for mode in ["plan", "probe", "apply"] {
            let path = lab.dir.path + "/\(mode).prom"
            let arguments = [mode, "--dns-timeout", "0.3", "--metrics-file", path] + (mode == "apply" ? ["--yes"] : [])
            let run = try lab.reconcile(arguments)
            #expect(run.status == 1, "\(mode): \(run.stdout)\n\(run.stderr)")
            #expect(run.stderr.contains("error:"))
            let metrics = try Self.metrics(path)
            #expect(metrics.value("reconcile_last_run_success", ["mode": mode]) == 0, "\(mode)")
            #expect(metrics.value("reconcile_changes_applied", ["mode": mode]) == 0, "\(mode)")
            #expect(metrics.value("reconcile_desired_state_info", ["mode": mode, "commit": commit]) == 1, "\(mode)")
            #expect(!metrics.samples.contains { $0.name == "reconcile_findings" }, "\(mode)")
            // No plan, so nothing is known about sync: no series rather than a 1.
            #expect(!metrics.samples.contains { $0.name == "reconcile_in_sync" }, "\(mode)")
        }
        #expect(!FileManager.default.fileExists(atPath: lab.dir.path + "/state/journal.jsonl"))

        // An invalid desired state: the metrics name the commit that broke it.
        try lab.dir.write("desired/vhosts.yaml", "vhosts:\n  bad..example.social: {families: [ipv4], ports: [443]}\n")
        let broken = try lab.commitDesiredState()
        let invalid = try lab.reconcile(["plan", "--metrics-file", lab.dir.path + "/invalid.prom"])
        #expect(invalid.status == 1, "\(invalid.stderr)")
        #expect(invalid.stderr.contains("vhosts.yaml:2:3"), "\(invalid.stderr)")
        let metrics = try Self.metrics(lab.dir.path + "/invalid.prom")
        #expect(metrics.value("reconcile_last_run_success", ["mode": "plan"]) == 0)
        #expect(metrics.value("reconcile_desired_state_info", ["mode": "plan", "commit": broken]) == 1)

        // Only .prom files are read by the textfile collector; anything else is refused up front.
        let wrongName = try lab.reconcile(["plan", "--metrics-file", lab.dir.path + "/plan.txt"])
        #expect(wrongName.status == 64)  // EX_USAGE, as for every argument error
        #expect(wrongName.stderr.contains(".prom"))
        #expect(!FileManager.default.fileExists(atPath: lab.dir.path + "/plan.txt"))
    }

    @Test func anApplyThatFailsHalfWayCountsTheChangesItMade() async throws {
        // media has no AAAA yet and no IPv6 listen: apply adds the listen, then the AAAA, which
        // this server refuses (no updates allowed).
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\nmedia IN A 127.0.0.1", vhosts: OutageSites.dualStack,
            allowUpdate: false)
        defer { lab.stop() }
        let path = lab.dir.path + "/apply.prom"

        let apply = try lab.reconcile(["apply", "--yes", "--metrics-file", path])
        #expect(apply.status == 1, "\(apply.stdout)\n\(apply.stderr)")
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        #expect(try await lab.published("media.example.social.", .aaaa) == [])

        let metrics = try Self.metrics(path)
        #expect(metrics.value("reconcile_last_run_success", ["mode": "apply"]) == 0)
        #expect(metrics.value("reconcile_changes_applied", ["mode": "apply"]) == 1)
        // The findings the failed run was fixing are still reported.
        let missing = metrics.samples.filter {
            $0.name == "reconcile_findings" && $0.labels["vhost"] == "media.example.social"
        }
        #expect(Set(missing.map { $0.labels["slug"] ?? "" }) == ["missing-listen", "missing-record"])
    }

    // MARK: helpers

    /// Whitespace-separated fields of a table line.
    static func fields(_ line: String) -> [String] { line.split(separator: " ").map(String.init) }

    static func object(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    static func metrics(_ path: String) throws -> PrometheusSamples {
        try PrometheusSamples.parse(try String(contentsOfFile: path, encoding: .utf8))
    }
}
