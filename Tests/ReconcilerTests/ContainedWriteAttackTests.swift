import Foundation
import Reconciler
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// DESIGN §13 against a local attacker, live (real nginx, the real `reconcile` binary as root):
/// a user who owns a directory of the tree apply writes swaps a symlink there between the real
/// file and a root-only victim at every step of apply. The victim is never written; apply
/// writes the real file or refuses with a clear error; nginx keeps serving; the next plan is
/// right.
@Suite(.serialized)
struct ContainedWriteAttackTests {
    static let rounds = 50
    static let victimBytes = Array("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeyOfRoot root@host\n".utf8)

    /// The victim: a root-only file outside every tree apply may write.
    static func makeVictim(in lab: OutageLab) throws -> String {
        let victim = lab.dir.path + "/root-only/authorized_keys"
        try FileManager.default.createDirectory(atPath: lab.dir.path + "/root-only", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: victim, contents: Data(victimBytes)))
        chmod(victim, 0o600)
        return victim
    }

    static func expectVictimUntouched(_ victim: String, round: Int) {
        var info = stat()
        #expect(lstat(victim, &info) == 0 && info.st_mode & S_IFMT == S_IFREG, "round \(round)")
        #expect(info.st_mode & 0o7777 == 0o600 && info.st_uid == 0, "round \(round)")
        #expect(FileManager.default.contents(atPath: victim).map { [UInt8]($0) } == victimBytes, "round \(round)")
    }

    /// What a refused or failed apply may say: each names the rule or the failed step.
    static let clearRefusals = [
        "refusing to write", "refusing to read", "changed while applying", "nginx configuration test", "nginx reload",
        "checking the new listen", "cannot read", "unexpected", "unknown directive", "is not terminated",
        "the saved plan is stale",
    ]

    @Test func symlinkSwapInTheNginxTreeNeverRedirectsAWrite() async throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: OutageSites.records, vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        let sites = lab.dir.path + "/nginx/sites"
        let available = lab.dir.path + "/nginx/sites-available"
        try FileManager.default.createDirectory(atPath: available, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: sites + "/media.conf", toPath: available + "/media.conf")
        try FileManager.default.createSymbolicLink(
            atPath: sites + "/media.conf", withDestinationPath: "../sites-available/media.conf")
        // The deployer's directory: nobody may replace the links in it.
        chown(sites, 65534, 65534)
        try lab.nginx.reload()
        let victim = try Self.makeVictim(in: lab)
        let real = available + "/media.conf"
        let original = try #require(FileManager.default.contents(atPath: real))

        let attacker = try SymlinkSwapper(
            link: sites + "/media.conf", good: "../sites-available/media.conf", bad: victim, watch: [sites, available])
        defer { attacker.stop() }
        var outcomes: [Int32: Int] = [:]
        var refusals: [String: Int] = [:]
        for round in 1...Self.rounds {
            attacker.resume()
            let apply = try lab.reconcile(["apply", "--yes", "--verify-timeout", "3", "--dns-timeout", "3"])
            attacker.pause()
            #expect(attacker.isRunning, "the attacker died: \(attacker.log)")
            outcomes[apply.status, default: 0] += 1
            Self.expectVictimUntouched(victim, round: round)
            #expect([0, 1, 3].contains(apply.status), "round \(round): \(apply.stderr)")
            if apply.status != 0 {
                let refusal = Self.clearRefusals.first { apply.stderr.contains($0) }
                #expect(refusal != nil, "round \(round): \(apply.stderr)")
                refusals[refusal ?? "?", default: 0] += 1
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: available) == ["media.conf"], "round \(round)")
            #expect(try lab.https("example.social", via: "127.0.0.1") == "example\n", "round \(round)")
            let written = FileManager.default.contents(atPath: real) != original
            #expect(written == (apply.status == 0), "round \(round): \(apply.stdout)\n\(apply.stderr)")
            let plan = try lab.reconcile(["plan", "--format", "json"])
            #expect(plan.status == (written ? 0 : 2), "round \(round): \(plan.stdout)\(plan.stderr)")
            if written {
                #expect(try lab.https("media.example.social", via: "::1") == "media\n", "round \(round)")
                #expect(FileManager.default.createFile(atPath: real, contents: original))
                try lab.nginx.reload()
            }
        }
        print(
            "symlink swap in the nginx tree, \(Self.rounds) rounds: apply exit statuses \(outcomes), refusals \(refusals)"
        )
    }

    @Test func symlinkSwapInAZoneDirectoryNeverRedirectsAWrite() async throws {
        let lab = try OutageLab.inSync()
        defer { lab.stop() }
        // The zone's directory is the DNS server's user's to write (here: nobody's).
        let zones = lab.dir.path + "/zones"
        try FileManager.default.createDirectory(atPath: zones, withIntermediateDirectories: true)
        let original = Array(
            """
            $ORIGIN example.social.
            $TTL 300
            @ IN SOA ns1 hostmaster 2026120101 3600 900 1209600 300
              IN NS ns1
            ns1 IN A 127.0.0.1
            @ IN A 127.0.0.1
            @ IN AAAA ::1
            media IN A 127.0.0.1

            """.utf8)
        let real = zones + "/example.social.zone.real"
        #expect(FileManager.default.createFile(atPath: real, contents: Data(original)))
        try FileManager.default.createSymbolicLink(
            atPath: zones + "/example.social.zone", withDestinationPath: "example.social.zone.real")
        chown(zones, 65534, 65534)
        try lab.writeDesired(
            dnsSection: """
                dns:
                  provider: zonefile
                  zones: [example.social]
                  zonefile: {path: ../zones/example.social.zone}

                """)
        let victim = try Self.makeVictim(in: lab)
        let before = try lab.reconcile(["plan", "--format", "json"])
        #expect(
            before.status == 2 && before.stdout.contains("\"kind\" : \"dns.add\""), "\(before.stdout)\(before.stderr)")

        let attacker = try SymlinkSwapper(
            link: zones + "/example.social.zone", good: "example.social.zone.real", bad: victim, watch: [zones])
        defer { attacker.stop() }
        var outcomes: [Int32: Int] = [:]
        for round in 1...Self.rounds {
            attacker.resume()
            let apply = try lab.reconcile(["apply", "--yes"])
            attacker.pause()
            #expect(attacker.isRunning, "the attacker died: \(attacker.log)")
            outcomes[apply.status, default: 0] += 1
            Self.expectVictimUntouched(victim, round: round)
            // Nothing of the victim reaches the output (a parse error would quote it).
            #expect(!(apply.stdout + apply.stderr).contains("AAAAC3Nza"), "round \(round): \(apply.stderr)")
            #expect([0, 1, 3].contains(apply.status), "round \(round): \(apply.stderr)")
            if apply.status != 0 {
                #expect(
                    (Self.clearRefusals + [
                        "refusing to read", "cannot write the zone file", "the file changed since it was read",
                    ])
                    .contains { apply.stderr.contains($0) }, "round \(round): \(apply.stderr)")
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: zones).filter {
                $0 != ".attacker-swap" && $0 != ".test-swap"
            }
            #expect(files.sorted() == ["example.social.zone", "example.social.zone.real"], "round \(round)")
            let now = try #require(FileManager.default.contents(atPath: real))
            let written = [UInt8](now) != original
            #expect(written == (apply.status == 0), "round \(round): \(apply.stdout)\n\(apply.stderr)")
            if written { #expect(String(decoding: now, as: UTF8.self).contains("AAAA"), "round \(round)") }
            let plan = try lab.reconcile(["plan", "--format", "json"])
            #expect(plan.status == (written ? 0 : 2), "round \(round): \(plan.stdout)\(plan.stderr)")
            if written { #expect(FileManager.default.createFile(atPath: real, contents: Data(original))) }
        }
        print("symlink swap in the zone directory, \(Self.rounds) rounds: apply exit statuses \(outcomes)")
    }

    /// A line an editor appends to an nginx file after apply's last read and before its rename
    /// (apply frozen there by the test, not by timing) is not lost: apply abandons the file,
    /// restores, exits 1; DNS is not touched.
    @Test func aLineAppendedBeforeTheRenameAbortsTheApplyAndStays() async throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\nmedia IN A 127.0.0.1\n", vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        let media = lab.dir.path + "/nginx/sites/media.conf"
        let apply = try DNSUpdateFaultTests.FrozenApply(lab, fault: FaultPoint.midWrite.rawValue)
        #expect(apply.waitUntilFrozen(), "apply did not reach the rename")
        let appended = "# added by the operator's editor\n"
        let handle = try #require(FileHandle(forWritingAtPath: media))
        handle.seekToEndOfFile()
        handle.write(Data(appended.utf8))
        try handle.close()
        apply.resume()
        let result = apply.finish()
        #expect(result.status == 1, "\(result.text)")
        #expect(
            result.text.contains(
                "writing \(media) failed: \(media) changed while applying (its contents differ from what the plan read); this file was not written"
            ), "\(result.text)")
        let text = try String(contentsOfFile: media, encoding: .utf8)
        #expect(
            text == OutageSites.media.replacingOccurrences(of: "PORT", with: "\(lab.port)").replacingOccurrences(
                of: "CERTS", with: lab.dir.path + "/certs") + appended)
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
        #expect(try lab.https("media.example.social", via: "127.0.0.1") == "media\n")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: lab.dir.path + "/nginx/sites").sorted() == [
                "example.conf", "media.conf",
            ])
    }
}
