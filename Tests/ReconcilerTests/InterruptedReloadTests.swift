import DNS
import Foundation
import Reconciler
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A file written but never loaded: apply killed between writing nginx's files (or the zone
/// file) and the reload. The files then say what is desired, so a plan made from them alone
/// would call it in sync while nginx or named still runs the old one — for nginx, the §1
/// outage itself. The plan reads the marker apply left in the state directory, is not in sync,
/// and the next apply does the reload first. And a zone reload that fails puts the file back.
@Suite(.serialized)
struct InterruptedReloadTests {
    /// The plan as JSON: exit status, actions' kinds, pending reloads, in_sync.
    func plan(_ lab: OutageLab) throws -> (status: Int32, kinds: [String], pending: [String], inSync: Bool?) {
        let plan = try lab.reconcile(["plan", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        let actions = object?["actions"] as? [[String: Any]] ?? []
        return (
            plan.status, actions.compactMap { $0["kind"] as? String }, object?["pending_reloads"] as? [String] ?? [],
            object?["in_sync"] as? Bool
        )
    }

    /// The §1 outage with the AAAA already published: only the listen is missing. apply dies
    /// after writing and testing it, before the reload: IPv6 users still fail, and the plan
    /// must say so although the file has the listen.
    @Test func nginxFileWrittenButNeverLoadedIsNotInSync() throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media], records: OutageSites.records,
            vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        #expect(try plan(lab).kinds == ["nginx.add-listen"])

        let killed = try lab.reconcile(
            ["apply", "--yes"], environment: [FaultPoint.environmentVariable: FaultPoint.afterTest.rawValue])
        #expect(killed.status == SIGKILL, "\(killed.stdout)\(killed.stderr)")
        #expect(try lab.https("media.example.social", via: "::1") == nil, "nginx loaded the file before the kill")

        let after = try plan(lab)
        #expect(after.status == 2)
        #expect(after.kinds == [])
        #expect(after.inSync == false)
        #expect(
            after.pending.count == 1 && after.pending[0].hasPrefix("nginx: an apply wrote 1 listen change"),
            "\(after.pending)")
        let text = try lab.reconcile(["plan", "--metrics-file", lab.dir.path + "/plan.prom"])
        #expect(text.status == 2)
        let metrics = try ProbeCommandTests.metrics(lab.dir.path + "/plan.prom")
        #expect(metrics.value("reconcile_in_sync", ["mode": "plan"]) == 0)
        #expect(metrics.value("reconcile_pending_reloads", ["mode": "plan"]) == 1)
        #expect(text.stdout.contains("pending reload: nginx: an apply wrote 1 listen change"), "\(text.stdout)")
        #expect(
            text.stdout.contains("stopped before nginx loaded them; `reconcile apply` reloads first"), "\(text.stdout)")
        #expect(text.stdout.contains("Plan: 0 changes (0 nginx, 0 DNS) and 1 pending reload."), "\(text.stdout)")
        // While another apply holds the lock, the marker is that apply's, at work.
        let holder = try StateLockHolder(path: lab.dir.path + "/state")
        let running = try plan(lab)
        holder.release()
        #expect(running.status == 2)
        #expect(
            running.pending.first?.contains("and is still running (it holds the lock); nginx has not loaded them yet")
                == true, "\(running.pending)")

        // At a terminal, apply asks before it reloads; declined, the reload stays pending.
        let declined = try lab.reconcileOnTerminal(["apply"], input: "no\n")
        #expect(declined.status == 3, "\(declined.text)")
        #expect(
            declined.text.contains("Finish the interrupted apply (reload)? Only 'yes' is accepted:"), "\(declined.text)"
        )
        #expect(try plan(lab).pending.count == 1)

        let finished = try lab.reconcile(["apply", "--yes"])
        #expect(finished.status == 0, "\(finished.stdout)\(finished.stderr)")
        #expect(finished.stdout.contains("Finished the interrupted apply."), "\(finished.stdout)")
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        #expect(try plan(lab).status == 0)
        #expect(!FileManager.default.fileExists(atPath: lab.dir.path + "/state/pending-reload.json"))
    }

    /// The same hole without reconcile: the operator adds the missing listen by hand and
    /// forgets the reload. The file says served, nginx does not serve: the plan names the file
    /// nginx has not loaded (and a probe would fail), until nginx reloads.
    @Test func aHandEditNginxHasNotLoadedIsAnError() throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media], records: OutageSites.records,
            vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        // A worker's start time has clock-tick resolution; edits within a second of it count as loaded.
        usleep(1_500_000)
        let media = lab.dir.path + "/nginx/sites/media.conf"
        let text = try String(contentsOfFile: media, encoding: .utf8)
        try lab.dir.write(
            "nginx/sites/media.conf",
            text.replacingOccurrences(
                of: "ssl;\n", with: "ssl;\n    listen [::1]:\(lab.port) ssl;\n", options: [], range: nil))
        #expect(try lab.https("media.example.social", via: "::1") == nil)

        let stale = try lab.reconcile(["plan", "--format", "json"])
        #expect(stale.status == 2, "\(stale.stdout)\(stale.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(stale.stdout.utf8)) as? [String: Any]
        // Less the warning for the zone's NS at 127.0.0.1 port 53, where nothing listens.
        let findings = (object?["findings"] as? [[String: Any]] ?? []).filter {
            $0["slug"] as? String != "nameserver-unreachable"
        }
        #expect(findings.map { $0["slug"] as? String } == ["config-not-loaded"], "\(findings)")
        let evidence = findings.first?["evidence"] as? [String] ?? []
        #expect(evidence.count == 1 && evidence[0].hasPrefix("nginx/sites/media.conf: modified "), "\(evidence)")
        #expect((findings.first?["message"] as? String)?.contains("master \(lab.nginx.pid)") == true)

        try lab.nginx.reload()
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        let loaded = try lab.reconcile(["plan"])
        #expect(loaded.status == 0, "\(loaded.stdout)")
    }

    /// The zone file holds the new AAAA, named was never told: the plan (reading the file)
    /// has no action left but is not in sync; the next apply runs the reload and named
    /// publishes the record.
    @Test func zoneFileWrittenButNeverReloadedIsNotInSync() async throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\nmedia IN A 127.0.0.1\n", vhosts: OutageSites.dualStack,
            zoneFile: true)
        defer { lab.stop() }
        #expect(try plan(lab).kinds == ["nginx.add-listen", "dns.add"])

        let killed = try lab.reconcile(
            ["apply", "--yes"], environment: [FaultPoint.environmentVariable: FaultPoint.afterZoneWrite.rawValue])
        #expect(killed.status == SIGKILL, "\(killed.stdout)\(killed.stderr)")
        let zoneFile = try String(contentsOfFile: lab.named.zoneFilePath("example.social") ?? "", encoding: .utf8)
        #expect(zoneFile.contains("::1"), "the zone file was not written")
        #expect(try await lab.published("media.example.social.", .aaaa) == [], "named reloaded before the kill")
        #expect(try lab.https("media.example.social", via: "::1") == "media\n", "served before advertised")

        let after = try plan(lab)
        #expect(after.status == 2)
        #expect(after.kinds == [])
        #expect(
            after.pending == [
                "zone example.social.: an apply wrote the zone file and stopped before its reload command ran; `reconcile apply` runs it first"
            ])

        let finished = try lab.reconcile(["apply", "--yes"])
        #expect(finished.status == 0, "\(finished.stdout)\(finished.stderr)")
        #expect(finished.stdout.contains("stopped before reloading it; reloading now"), "\(finished.stdout)")
        #expect(try await lab.published("media.example.social.", .aaaa) == ["::1"])
        #expect(try plan(lab).status == 0)
    }

    /// A reload that fails (rndc asked for a zone named does not serve) after the zone file
    /// was edited: the file gets its old bytes back, so the next plan still shows the record to
    /// add instead of believing the file; with the reload fixed, apply finishes.
    @Test func failedZoneReloadPutsTheZoneFileBack() async throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\nmedia IN A 127.0.0.1\n", vhosts: OutageSites.dualStack,
            zoneFile: true)
        defer { lab.stop() }
        let rndc = try #require(lab.named.rndc)
        try lab.writeDesired(vhosts: OutageSites.dualStack, zoneReload: rndc + ["reload", "not-served.example"])
        let path = try #require(lab.named.zoneFilePath("example.social"))
        let before = try #require(FileManager.default.contents(atPath: path))

        let failed = try lab.reconcile(["apply", "--yes"])
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stderr.contains("the zone file was put back byte for byte"), "\(failed.stderr)")
        #expect(FileManager.default.contents(atPath: path) == before)
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
        let after = try plan(lab)
        #expect(after.kinds == ["dns.add"])
        #expect(after.pending == [])

        try lab.writeDesired(vhosts: OutageSites.dualStack)
        let finished = try lab.reconcile(["apply", "--yes"])
        #expect(finished.status == 0, "\(finished.stdout)\(finished.stderr)")
        #expect(try await lab.published("media.example.social.", .aaaa) == ["::1"])
        #expect(try plan(lab).status == 0)
    }

    /// Worst case: the reload fails and the old zone file cannot be put back either (the
    /// reload command leaves the directory immutable). apply says so, keeps the marker, the
    /// plan reports the pending reload, and once the directory and the reload are fixed the
    /// next apply runs the reload first and named publishes the record.
    @Test(
        .enabled(
            if: ServerBinary.isCI || FaultInjectionTests.canMakeImmutable, "needs root and a file system with chattr +i"
        ))
    func zoneFileThatCannotBePutBackStaysPending() async throws {
        try #require(FaultInjectionTests.canMakeImmutable, "needs root and a file system with chattr +i")
        let chattr = try ServerBinary.require("chattr")
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\nmedia IN A 127.0.0.1\n", vhosts: OutageSites.dualStack,
            zoneFile: true)
        defer { lab.stop() }
        let path = try #require(lab.named.zoneFilePath("example.social"))
        let directory = (path as NSString).deletingLastPathComponent
        defer { _ = try? ChildProcess.run([chattr, "-i", directory]) }
        try lab.writeDesired(
            vhosts: OutageSites.dualStack, zoneReload: ["/bin/sh", "-c", "\(chattr) +i \(directory); exit 1"])

        let failed = try lab.reconcile(["apply", "--yes"])
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stderr.contains("putting the old zone file back failed too"), "\(failed.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("::1"))
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
        #expect(FileManager.default.fileExists(atPath: lab.dir.path + "/state/pending-zone-reload.json"))
        let after = try plan(lab)
        #expect(after.status == 2)
        #expect(after.kinds == [])
        #expect(
            after.pending.count == 1 && after.pending[0].hasPrefix("zone example.social.: an apply wrote the zone file")
        )

        try ChildProcess.check([chattr, "-i", directory])
        try lab.writeDesired(vhosts: OutageSites.dualStack)
        let finished = try lab.reconcile(["apply", "--yes"])
        #expect(finished.status == 0, "\(finished.stdout)\(finished.stderr)")
        #expect(finished.stdout.contains("reloading now"), "\(finished.stdout)")
        #expect(try await lab.published("media.example.social.", .aaaa) == ["::1"])
        #expect(try plan(lab).status == 0)
    }
}
