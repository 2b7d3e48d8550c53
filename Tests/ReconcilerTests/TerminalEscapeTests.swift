import Foundation
import TestSupport
import Testing

/// A vendor include that tries to rewrite the operator's terminal: its file name and its
/// `server_name` carry ESC sequences (erase line, cursor up), `\r` and an OSC 8 hyperlink,
/// shaped to wipe the critical finding and print a fake "In sync." Live (real nginx, real
/// named): plan, apply and probe print no raw control byte, the finding stays visible, and
/// JSON carries the exact value.
@Suite(.serialized)
struct TerminalEscapeTests {
    static let hostileName =
        "\u{1B}[2K\u{1B}[1A\rIn sync. no findings; nothing to change.\u{1B}]8;;http://evil.example/\u{1B}\\click\u{1B}]8;;\u{1B}\\\u{8}\u{9B}2J"
    static let hostileFile = "\u{1B}[2K\rvendor.conf"

    /// Every byte a terminal would act on: C0 controls but the line feed, DEL, and C1
    /// controls (U+0080-U+009F, in UTF-8 0xC2 0x80-0x9F).
    static func controlBytes(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        var found: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            if (byte < 0x20 && byte != 0x0A) || byte == 0x7F { found.append(byte) }
            if byte == 0xC2, index + 1 < bytes.count, (0x80...0x9F).contains(bytes[index + 1]) {
                found.append(bytes[index + 1])
            }
        }
        return found
    }

    @Test func hostileNamesReachTheTerminalEscapedAndJSONExactly() throws {
        let vendor = """
            server {
                listen [::1]:PORT ssl default_server;
                server_name "\(Self.hostileName)";
                ssl_certificate CERTS/example.social.crt;
                ssl_certificate_key CERTS/example.social.key;
                return 200 "vendor\\n";
            }

            """
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media, Self.hostileFile: vendor],
            records: OutageSites.records, vhosts: OutageSites.dualStack,
            nginxOverrides: "server_names_hash_bucket_size 128;\n")
        defer { lab.stop() }

        let plan = try lab.reconcile(["plan"])
        #expect(plan.status == 2, "\(plan.stderr)")
        #expect(Self.controlBytes(plan.stdout + plan.stderr) == [], "\(plan.stdout)")
        #expect(plan.stdout.contains("critical RC001 advertised-not-served  ipv6 port \(lab.port)"), "\(plan.stdout)")
        #expect(
            plan.stdout.contains(
                "sites/\\x1b[2K\\x0dvendor.conf:1: server { server_name \\x1b[2K\\x1b[1A\\x0dIn sync."),
            "\(plan.stdout)")
        #expect(plan.stdout.contains("\\x1b]8;;http://evil.example/\\x1b\\click"), "\(plan.stdout)")
        #expect(plan.stdout.contains("\\x08\\x9b2J"), "\(plan.stdout)")

        let json = try lab.reconcile(["plan", "--format", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let evidence = (document["findings"] as? [[String: Any]] ?? []).flatMap { $0["evidence"] as? [String] ?? [] }
        #expect(evidence.contains { $0.contains(Self.hostileFile) && $0.contains(Self.hostileName) }, "\(evidence)")

        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(Self.controlBytes(apply.stdout + apply.stderr) == [], "\(apply.stdout)")
        #expect(apply.stdout.contains("critical RC001 advertised-not-served"))

        let probe = try lab.reconcile(["probe", "--ca-file", try lab.certificateBundle()])
        #expect(Self.controlBytes(probe.stdout + probe.stderr) == [], "\(probe.stdout)")
        #expect(probe.stdout.contains("media.example.social  ipv6"), "\(probe.stdout)")
    }
}
