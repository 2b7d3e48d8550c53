import DNS
import Foundation
import Reconciler
import TestSupport
import Testing

/// DESIGN §7 against live nginx and named: order, rollback, refusals.
@Suite(.serialized)
struct ApplySafetyTests {
    /// A v4-only media vhost (no AAAA yet) that the desired state makes dual-stack.
    func ipv4OnlyMediaLab() throws -> OutageLab {
        try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\nmedia IN A 127.0.0.1\n", vhosts: OutageSites.dualStack)
    }

    @Test func servesBeforeAdvertising() async throws {
        let lab = try ipv4OnlyMediaLab()
        defer { lab.stop() }
        let plan = try lab.reconcile(["plan", "--format", "json"])
        #expect(plan.status == 2)
        #expect(plan.stdout.contains("\"missing-listen\""))
        #expect(plan.stdout.contains("\"missing-record\""))

        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let lines = apply.stdout.split(separator: "\n").map(String.init)
        let answered = try #require(lines.firstIndex { $0.hasPrefix("nginx: [::1]:\(lab.port) answers") })
        let reloaded = try #require(lines.firstIndex { $0 == "nginx: reloaded" })
        let published = try #require(
            lines.firstIndex { $0.hasPrefix("DNS: added media.example.social. 300 IN AAAA ::1") })
        #expect(reloaded < answered && answered < published)
        #expect(try await lab.published("media.example.social.", .aaaa) == ["::1"])
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        #expect(try lab.reconcile(["plan"]).status == 0)
    }

    @Test func failedConfigTestRestoresEveryByteAndSendsNoDNSUpdate() async throws {
        let lab = try ipv4OnlyMediaLab()
        defer { lab.stop() }
        // A test command that fails, as `nginx -t` does on a config it rejects.
        let prefix = ["-p", lab.dir.path + "/nginx/", "-e", lab.dir.path + "/nginx/error.log"]
        try lab.writeDesired(
            vhosts: OutageSites.dualStack,
            test: [lab.nginxBinary, "-t", "-q", "-c", lab.dir.path + "/nginx/missing.conf"] + prefix)
        let before = try lab.siteFiles()
        let media = lab.dir.path + "/nginx/sites/media.conf"
        let modifiedBefore = try FileManager.default.attributesOfItem(atPath: media)[.modificationDate] as? Date
        // Past the second within which an edit counts as loaded by nginx (config-not-loaded).
        usleep(1_500_000)
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("nginx configuration test"))
        #expect(apply.stderr.contains("every nginx file was restored byte for byte"))
        #expect(try lab.siteFiles() == before)
        // The restore gives the file its old time too: nothing looks edited since nginx's load.
        #expect(try FileManager.default.attributesOfItem(atPath: media)[.modificationDate] as? Date == modifiedBefore)
        let plan = try lab.reconcile(["plan", "--format", "json"])
        #expect(!plan.stdout.contains("config-not-loaded"), "\(plan.stdout)")
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
        #expect(try lab.https("media.example.social", via: "::1") == nil)
        let journal = try String(contentsOfFile: lab.dir.path + "/state/journal.jsonl", encoding: .utf8)
        #expect(journal.contains("\"result\":\"failed\""))
    }

    @Test func failedReloadRestoresAndReloadsAgain() async throws {
        let lab = try ipv4OnlyMediaLab()
        defer { lab.stop() }
        try lab.writeDesired(vhosts: OutageSites.dualStack, reload: ["/bin/sh", "-c", "exit 7"])
        let before = try lab.siteFiles()
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("nginx reload exited with status 7"))
        #expect(try lab.siteFiles() == before)
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
        #expect(try lab.https("media.example.social", via: "127.0.0.1") == "media\n")
    }

    @Test func dnsRefusalAfterTheNginxChangeLeavesTheHarmlessNginxChange() async throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\nmedia IN A 127.0.0.1\n", vhosts: OutageSites.dualStack,
            allowUpdate: false)
        defer { lab.stop() }
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("DNS update in zone example.social."))
        #expect(apply.stderr.contains("the nginx changes stay in place"))
        // Served, not advertised: harmless; the next plan says what is left.
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        let plan = try lab.reconcile(["plan", "--format", "json"])
        #expect(plan.status == 2)
        #expect(plan.stdout.contains("\"missing-record\""))
        #expect(!plan.stdout.contains("\"nginx.add-listen\""))
    }

    @Test func withdrawsBeforeUnserving() async throws {
        let lab = try OutageLab(
            sites: [
                "example.conf": OutageSites.example,
                "media.conf": OutageSites.example.replacingOccurrences(
                    of: "example.social", with: "media.example.social"
                ).replacingOccurrences(of: "\"example\\n\"", with: "\"media\\n\""),
            ],
            // The AAAA with a TTL of 8 s: resolvers may hold it that long after it is withdrawn
            // (long enough for the plan and the early apply below on a loaded machine).
            records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\nmedia IN A 127.0.0.1\nmedia 8 IN AAAA ::1\n",
            vhosts:
                "  example.social: {families: [ipv4, ipv6], ports: [PORT]}\n  media.example.social: {families: [ipv4], ports: [PORT]}\n"
        )
        defer { lab.stop() }
        // The first apply withdraws and leaves the listen: no run sleeps for caches.
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let lines = apply.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("DNS: deleted media.example.social. 8 IN AAAA ::1"), "\(apply.stdout)")
        #expect(!lines.contains { $0.hasPrefix("nginx: wrote") }, "\(apply.stdout)")
        let waits = try #require(
            lines.first { $0.hasPrefix("nginx: 1 listen removal waits until ") }, "\(apply.stdout)")
        #expect(
            waits.hasSuffix(
                "when resolvers can no longer hold the withdrawn records (their TTL); the next apply makes it"))
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")

        // The plan shows the removal waiting, and when it may run.
        let pending = try lab.reconcile(["plan"])
        #expect(pending.status == 2)
        #expect(pending.stdout.contains("listen [::1]:\(lab.port) ssl;"))
        #expect(pending.stdout.contains("(not before "), "\(pending.stdout)")
        let journal = try String(contentsOfFile: lab.dir.path + "/state/journal.jsonl", encoding: .utf8)
        #expect(journal.contains("\"result\":\"deferred\""))

        // An apply before the TTL has passed still leaves it; one after removes it.
        let early = try lab.reconcile(["apply", "--yes"])
        #expect(early.status == 0)
        #expect(!early.stdout.contains("nginx: wrote"), "\(early.stdout)")
        #expect(!early.stdout.contains("Applied") && !early.stdout.contains("Finished"), "\(early.stdout)")
        #expect(early.stdout.contains("Left for a later apply: 1 listen removal, until resolvers can no longer hold"))
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        // Once the time the plan named has passed.
        let notBefore = try #require(pending.stdout.firstMatch(of: /not before ([0-9TZ:-]+)/)?.1)
        let until = try #require(ISO8601DateFormatter().date(from: String(notBefore)))
        try await Task.sleep(for: .seconds(max(0, until.timeIntervalSinceNow) + 1.1))
        let later = try lab.reconcile(["apply", "--yes"])
        #expect(later.status == 0, "\(later.stdout)\(later.stderr)")
        #expect(later.stdout.contains("nginx: wrote"), "\(later.stdout)")
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
        #expect(try await lab.published("media.example.social.", .a) == ["127.0.0.1"])
        #expect(try lab.https("media.example.social", via: "::1") == nil)
        #expect(try lab.https("media.example.social", via: "127.0.0.1") == "media\n")
        #expect(try lab.reconcile(["plan"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: lab.dir.path + "/state/withdrawals.json"))
    }

    @Test func staleSavedPlanIsRefused() async throws {
        let lab = try ipv4OnlyMediaLab()
        defer { lab.stop() }
        let saved = lab.dir.path + "/plan.json"
        #expect(try lab.reconcile(["plan", "--out", saved]).status == 2)
        // Someone edits a file the plan depends on.
        let example = lab.dir.path + "/nginx/sites/example.conf"
        try (String(contentsOfFile: example, encoding: .utf8) + "# edited\n").write(
            toFile: example, atomically: true, encoding: .utf8)
        let before = try lab.siteFiles()
        let refused = try lab.reconcile(["apply", "--yes", saved])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("the saved plan is stale"))
        #expect(refused.stderr.contains("example.conf changed since the plan was made"))
        #expect(try lab.siteFiles() == before)

        // A fresh plan, then a record changes underneath it.
        #expect(try lab.reconcile(["plan", "--out", saved]).status == 2)
        let client = DNSClient(server: try DNSServerAddress(host: "127.0.0.1", port: lab.named.port))
        let key = try TSIGKey.parse(lab.named.key("hmac-sha256")?.keyFile ?? "", source: "test")
        let owner = try DNSName("media.example.social.")
        try await client.update(
            zone: try DNSName("example.social."),
            changes: [
                UpdateChange(operations: [
                    .add(ResourceRecord(name: owner, type: .a, ttl: 300, data: .a(IPv4Bytes("127.0.0.2")!)))
                ])
            ],
            key: key)
        let refusedAgain = try lab.reconcile(["apply", "--yes", saved])
        #expect(refusedAgain.status == 3)
        #expect(refusedAgain.stderr.contains("record set media.example.social. A changed"))
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
    }

    @Test func secondApplyWaitsForTheLockThenGivesUp() throws {
        let lab = try ipv4OnlyMediaLab()
        defer { lab.stop() }
        let held = try StateLockHolder(path: lab.dir.path + "/state")
        let before = try lab.siteFiles()
        let refused = try lab.reconcile(["apply", "--yes", "--lock-timeout", "1"])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("another reconcile apply holds"))
        #expect(try lab.siteFiles() == before)
        held.release()
        #expect(try lab.reconcile(["apply", "--yes", "--lock-timeout", "1"]).status == 0)
    }

    @Test func safetyLimitRefusesMassDeletionWithoutForce() async throws {
        // Five vhosts published on addresses that are not the host's: replacing them all
        // deletes every record.
        var records = ""
        var vhosts = ""
        var sites = ""
        for i in 1...5 {
            records += "v\(i) IN A 127.0.0.\(i + 1)\n"
            vhosts += "  v\(i).example.social: {families: [ipv4], ports: [PORT]}\n"
            sites += "server { listen 127.0.0.1:PORT; server_name v\(i).example.social; return 200 \"v\(i)\"; }\n"
        }
        let lab = try OutageLab(sites: ["v.conf": sites], records: records, vhosts: vhosts)
        defer { lab.stop() }
        let refused = try lab.reconcile(["apply", "--yes"])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("refused by the safety limit: the plan deletes 5 of 5 managed records"))
        #expect(try await lab.published("v1.example.social.", .a) == ["127.0.0.2"])
        let forced = try lab.reconcile(["apply", "--yes", "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try await lab.published("v1.example.social.", .a) == ["127.0.0.1"])
    }

    @Test func unreachableDNSServerIsAnErrorWithNoActions() throws {
        let lab = try ipv4OnlyMediaLab()
        defer { lab.stop() }
        try lab.writeDesired(vhosts: OutageSites.dualStack, dnsPort: LoopbackPort.free())
        let plan = try lab.reconcile(["plan", "--format", "json", "--dns-timeout", "0.5"])
        #expect(plan.status == 1)
        #expect(!plan.stdout.contains("\"actions\""))
        #expect(plan.stdout.contains("\"error\""))
        let before = try lab.siteFiles()
        #expect(try lab.reconcile(["apply", "--yes", "--dns-timeout", "0.5"]).status == 1)
        #expect(try lab.siteFiles() == before)
    }

    @Test func applyWithoutYesOffATerminalIsRefused() throws {
        let lab = try ipv4OnlyMediaLab()
        defer { lab.stop() }
        let before = try lab.siteFiles()
        let refused = try lab.reconcile(["apply"])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("pass --yes"))
        #expect(try lab.siteFiles() == before)
    }

    /// At a terminal, apply shows the plan and asks; only `yes` applies.
    @Test func applyAtATerminalAsksAndOnlyYesApplies() async throws {
        let lab = try ipv4OnlyMediaLab()
        defer { lab.stop() }
        let before = try lab.siteFiles()
        for answer in ["no", "y", "YES please"] {
            let declined = try lab.reconcileOnTerminal(["apply"], input: answer + "\n")
            #expect(declined.status == 3, "\(answer): \(declined.text)")
            #expect(declined.text.contains("Apply these 2 changes? Only 'yes' is accepted:"), "\(declined.text)")
            #expect(declined.text.contains("not applied: the answer was not 'yes'"), "\(declined.text)")
            #expect(try lab.siteFiles() == before, "\(answer)")
        }
        #expect(try await lab.published("media.example.social.", .aaaa) == [])

        let accepted = try lab.reconcileOnTerminal(["apply"], input: "yes\n")
        #expect(accepted.status == 0, "\(accepted.text)")
        #expect(accepted.text.contains("Applied 2 changes."), "\(accepted.text)")
        #expect(try await lab.published("media.example.social.", .aaaa) == ["::1"])
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
    }
}
