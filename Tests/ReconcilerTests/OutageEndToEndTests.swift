import DNS
import Foundation
import Reconciler
import TestSupport
import Testing

/// DESIGN §11: the §1 outage reproduced live, found by `plan`, fixed by `apply`.
@Suite(.serialized)
struct OutageEndToEndTests {
    @Test func planFindsTheOutageAndApplyFixesItWithOneLine() async throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media], records: OutageSites.records,
            vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        // The default: the zone's NS set.
        try lab.writeDesired(vhosts: OutageSites.dualStack, dns: "nameservers: auto")

        // Before: IPv4 works, IPv6 users get another block's certificate.
        #expect(try lab.https("media.example.social", via: "127.0.0.1") == "media\n")
        #expect(try lab.https("media.example.social", via: "::1") == nil)
        #expect(try lab.https("example.social", via: "::1") == "example\n")

        let plan = try lab.reconcile(["plan", "--format", "json"])
        #expect(plan.status == 2, "\(plan.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        #expect(json["schema"] as? Int == 1)
        #expect(json["in_sync"] as? Bool == false)
        let all = try #require(json["findings"] as? [[String: Any]])
        // The zone's only NS, ns1 at 127.0.0.1 port 53 where nothing listens, is a warning while
        // dns.server answers over the same family: not drift.
        let unreachable = all.filter { $0["slug"] as? String == "nameserver-unreachable" }
        #expect(unreachable.map { $0["severity"] as? String } == ["warning"], "\(unreachable)")
        #expect(unreachable.first?["vhost"] as? String == "example.social.")
        let findings = all.filter { $0["slug"] as? String != "nameserver-unreachable" }
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding["code"] as? String == "RC001")
        #expect(finding["slug"] as? String == "advertised-not-served")
        #expect(finding["severity"] as? String == "critical")
        #expect(finding["vhost"] as? String == "media.example.social")
        #expect(finding["family"] as? String == "ipv6")
        #expect(finding["port"] as? Int == Int(lab.port))
        let evidence = try #require(finding["evidence"] as? [String])
        #expect(evidence.contains("nginx/sites/media.conf:2: listen 127.0.0.1:\(lab.port) ssl;"))
        #expect(evidence.contains("media.example.social. 300 IN AAAA ::1"))
        let actions = try #require(json["actions"] as? [[String: Any]])
        #expect(actions.count == 1)
        #expect(actions.first?["kind"] as? String == "nginx.add-listen")
        #expect(actions.first?["text"] as? String == "listen [::1]:\(lab.port) ssl;")
        #expect(actions.first?["line"] as? Int == 3)

        // The text form names the file and line, and the fix as a diff line.
        let text = try lab.reconcile(["plan"])
        #expect(text.status == 2)
        #expect(text.stdout.contains("critical RC001 advertised-not-served  ipv6 port \(lab.port)"))
        #expect(
            text.stdout.contains("+ listen [::1]:\(lab.port) ssl; # managed by reconcile   nginx/sites/media.conf:3"))

        let before = try lab.siteFiles()
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        // RECONCILE_TRANSCRIPT=DIR keeps the live output (the README shows it).
        if let transcripts = ProcessInfo.processInfo.environment["RECONCILE_TRANSCRIPT"] {
            try (text.stdout + "\n$ reconcile apply --yes\n" + apply.stdout).write(
                toFile: transcripts + "/outage.txt", atomically: true, encoding: .utf8)
        }

        // After: the request over [::1] succeeds; the tree differs by exactly one added line.
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        #expect(try lab.https("media.example.social", via: "127.0.0.1") == "media\n")
        let after = try lab.siteFiles()
        #expect(after["example.conf"] == before["example.conf"])
        let oldLines = String(decoding: before["media.conf"] ?? [], as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false)
        let newLines = String(decoding: after["media.conf"] ?? [], as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false)
        #expect(newLines.count == oldLines.count + 1)
        var withoutAdded = newLines
        withoutAdded.remove(at: 2)
        #expect(withoutAdded == oldLines)
        #expect(newLines[2] == "    listen [::1]:\(lab.port) ssl; # managed by reconcile")

        let again = try lab.reconcile(["plan"])
        #expect(again.status == 0, "\(again.stdout)")
        // The unreachable ns1 is a warning, not drift, and costs no wait.
        #expect(again.stdout.hasSuffix("\nIn sync: 1 warning; nothing to change.\n"), "\(again.stdout)")
        #expect(again.stdout.contains("warning RC016 nameserver-unreachable  ipv4"))

        // The journal has the apply.
        let journal = try String(contentsOfFile: lab.dir.path + "/state/journal.jsonl", encoding: .utf8)
        #expect(journal.split(separator: "\n").count == 1)
        #expect(journal.contains("\"result\":\"applied\""))
        #expect(journal.contains("\"reconcile_version\":\"\(ReconcileVersion.current)\""))
    }
}
