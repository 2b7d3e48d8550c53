import DNS
import Foundation
import TestSupport
import Testing

/// A hostile desired state (DESIGN §3: nothing from the YAML reaches an nginx file or a DNS
/// message unvalidated), fed to `reconcile apply --yes` against live nginx and named with a
/// plan pending: each is refused with a clear error, and nothing is written — every nginx and
/// key file byte-identical, the zone's serial unchanged, no backup, no journal.
@Suite(.serialized)
struct HostileDesiredStateTests {
    /// One hostile input: replacements in the lab's `reconcile.yaml`, extra lines under
    /// `vhosts:`, and a fragment the error must contain.
    struct Hostile: Sendable, CustomTestStringConvertible {
        let name: String
        var replacing: [(String, String)] = []
        var vhosts = ""
        /// Extra files in the desired-state directory, by name.
        var files: [String: String] = [:]
        let expected: String
        var testDescription: String { name }

        /// `base` (the lab's reconcile.yaml) with the replacements made.
        func applied(to base: String) -> String {
            var text = base
            for (old, new) in replacing {
                #expect(text.contains(old), "\(name): the lab's desired state has no \(old)")
                text = text.replacingOccurrences(of: old, with: new)
            }
            return text
        }
    }

    static let hostAddresses = "host: {ipv4: [127.0.0.1], ipv6: [\"::1\"]}"
    static func vhost(_ name: String) -> Hostile {
        Hostile(
            name: "vhost \(name.debugDescription)", vhosts: "  \(name): {families: [ipv4], ports: [PORT]}\n",
            expected: "host name")
    }
    static func host(_ line: String, _ expected: String) -> Hostile {
        Hostile(name: "host \(line)", replacing: [(hostAddresses, "host: \(line)")], expected: expected)
    }
    static func replacing(_ old: String, _ new: String, _ expected: String) -> Hostile {
        Hostile(name: new, replacing: [(old, new)], expected: expected)
    }

    /// Names and values crafted to inject nginx directives or DNS data, odd encodings, huge
    /// and deeply nested input.
    static let refused: [Hostile] = [
        // nginx directive injection through the vhost name (it becomes no server_name, but the
        // name must never reach a file unvalidated).
        vhost("\"media.example.social; include /etc/shadow\""),
        vhost("\"media.example.social;\\n  listen 80\""),
        vhost("\"media.example.social { return 200 x; }\""),
        vhost("\"media.example.social}\""),
        vhost("\"$host.example.social\""),
        vhost("\"media.example.social#comment\""),
        vhost("\"'media'.example.social\""),
        vhost("\"media.example.social\\tlisten\""),
        vhost("\"media.example.social\\r\\nlisten 80\""),
        vhost("\"~^(.*)\\\\.example\\\\.social$\""),
        vhost("\"media\\\\.example.social\""),
        vhost("\"m\\u00e9dia.example.social\""),
        vhost("\"\\uff4dedia.example.social\""),
        vhost("\"media.example.social\\u2028listen 80\""),
        vhost("\"media\\0.example.social\""),
        vhost("\"*.*.example.social\""),
        vhost("\"..example.social\""),
        vhost("\"@.example.social\""),
        // DNS data injection through the name: a record in presentation form, escapes.
        vhost("\"media.example.social. 300 IN A 192.0.2.66\""),
        vhost("\"\\\\046.example.social\""),
        vhost("\"media.example.social\\\\000\""),
        vhost("\"media/example.social\""),
        vhost("\"media:80.example.social\""),
        // Huge names.
        Hostile(
            // libyaml refuses plain keys over 1024 characters itself; this one reaches validation.
            name: "vhost name of 1,000 characters",
            vhosts: "  \(String(repeating: "a", count: 1_000)).example.social: {}\n",
            expected: "characters long (at most 253 allowed)"),
        Hostile(
            name: "label of 64 characters", vhosts: "  \(String(repeating: "b", count: 64)).example.social: {}\n",
            expected: "has a label of 64 characters (at most 63 allowed)"),
        Hostile(
            name: "family of 100,000 characters",
            vhosts: "  www.example.social: {families: [\(String(repeating: "ipv6", count: 25_000))]}\n",
            expected: "unknown family"),
        // Values that end up in listen directives and records.
        host("{ipv4: [\"127.0.0.1; include /etc/shadow\"], ipv6: [\"::1\"]}", "is not an IPv4 address"),
        host("{ipv4: [\"127.0.0.1:8080\"], ipv6: [\"::1\"]}", "is not an IPv4 address"),
        host("{ipv4: [127.0.0.1], ipv6: [\"::1]:443 ssl; listen [::\"]}", "is not an IPv6 address"),
        host("{ipv4: [127.0.0.1], ipv6: [\"[::1]\"]}", "is not an IPv6 address"),
        host("{ipv4: [\"127.0.0.1\\n\"], ipv6: [\"::1\"]}", "is not an IPv4 address"),
        host("{ipv4: [\"127.000.000.001\"], ipv6: [\"::1\"]}", "is not an IPv4 address"),
        host("{ipv4: [\"0x7f.1\"], ipv6: [\"::1\"]}", "is not an IPv4 address"),
        host("{ipv4: [127.0.0.1], ipv6: [\"::1%lo\"]}", "is not an IPv6 address"),
        Hostile(
            name: "port as text with a directive",
            vhosts: "  www.example.social: {families: [ipv4], ports: [\"443; listen 80\"]}\n",
            expected: "port must be a number"),
        Hostile(
            name: "port 1e3", vhosts: "  www.example.social: {families: [ipv4], ports: [1e3]}\n",
            expected: "port must be a number"),
        Hostile(
            name: "negative port", vhosts: "  www.example.social: {families: [ipv4], ports: [-443]}\n",
            expected: "port must be a number"),
        Hostile(
            name: "family with a directive", vhosts: "  www.example.social: {families: [\"ipv6 ssl; listen 80\"]}\n",
            expected: "unknown family"),
        replacing("zones: [example.social]", "zones: [\"example.social; drop\"]", "contains \";\""),
        replacing("zones: [example.social]", "zones: [\"example.social.\\n@ IN NS evil.\"]", "contains a newline"),
        replacing("zones: [example.social]", "zones: [\"*.social\"]", "wildcard"),
        replacing("zones: [example.social]", "zones: [example.social]\n  ttl: \"300; x\"", "dns.ttl must be a number"),
        replacing("zones: [example.social]", "zones: [example.social]\n  ttl: 99999999999", "dns.ttl must be a number"),
        replacing("zones: [example.social]", "zones: [example.social]\n  ttl: 0", "dns.ttl 0 is out of range"),
        replacing(
            "name: reconcile-hmac-sha256,", "name: \"k\\\"; allow-update { any; }; key \\\"x\",", "is not a key name"),
        replacing("algorithm: hmac-sha256", "algorithm: hmac-md5", "unknown TSIG algorithm"),
        replacing(
            "secret-file: ../keys/tsig.key", "secret: c2VjcmV0c2VjcmV0c2VjcmV0", "dns.tsig.secret is not allowed"),
        replacing(
            "secret-file: ../keys/tsig.key", "secret-file: \"../keys/tsig.key\\n\"", "contains a control character"),
        replacing(
            "config: ../nginx/nginx.conf", "config: \"../nginx/nginx.conf\\u0000\"", "contains a control character"),
        Hostile(
            name: "server with an injected option", replacing: [("server: \"127.0.0.1:", "server: \"127.0.0.1; :")],
            expected: "is not an IP address with optional port"),
        // Huge and deep documents.
        Hostile(
            name: "65 MB file", files: ["huge.yaml": "# " + String(repeating: "x", count: 65 << 20) + "\n"],
            expected: "larger than 67108864 bytes, the limit for one desired-state file"),
        Hostile(
            name: "nesting 100,000 deep",
            files: [
                "deep.yaml": "x: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
                    + "\n"
            ],
            expected: "nesting deeper than 64 levels"),
        Hostile(name: "alias bomb", files: ["bomb.yaml": aliasBomb], expected: "an alias bomb"),
        Hostile(
            name: "merge key",
            files: ["merge.yaml": "x: &x {families: [ipv4]}\nvhosts:\n  www.example.social: {<<: *x}\n"],
            expected: "merge keys"),
        Hostile(
            name: "explicit tag", files: ["tag.yaml": "vhosts:\n  www.example.social: !!python/object {}\n"],
            expected: "explicit tag"),
        Hostile(
            name: "replacement character in a name",
            files: ["bytes.yaml": "vhosts:\n  caf\u{FFFD}.example.social: {}\n"], expected: "non-ASCII"),
    ]

    static let aliasBomb: String = {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            yaml +=
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                + "]\n"
        }
        return yaml
    }()

    /// The lab's files that apply could write (nginx tree, certificates, keys), by path.
    func snapshot(_ lab: OutageLab) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for top in ["nginx", "certs", "keys"] {
            guard let walker = FileManager.default.enumerator(atPath: lab.dir.path + "/" + top) else { continue }
            while let relative = walker.nextObject() as? String {
                let path = "\(lab.dir.path)/\(top)/\(relative)"
                if path.hasSuffix(".log") || path.hasSuffix(".pid") { continue }
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                out[path] = isDirectory.boolValue ? [] : [UInt8](FileManager.default.contents(atPath: path) ?? Data())
            }
        }
        return out
    }

    func serial(_ lab: OutageLab) async throws -> UInt32? {
        let client = DNSClient(server: try DNSServerAddress(host: "127.0.0.1", port: lab.named.port))
        let zone = try DNSName("example.social.")
        guard case .soa(let soa)? = try await client.query(zone, .soa).records(.soa, of: zone).first?.data else {
            return nil
        }
        return soa.serial
    }

    /// Runs `apply --yes` on the lab as it is and checks it changed nothing.
    func expectNothingWritten(_ lab: OutageLab, _ label: String, expected: String) async throws -> ChildProcess.Result {
        let files = snapshot(lab)
        let serialBefore = try await serial(lab)
        let result = try lab.reconcile(["apply", "--yes"])
        #expect(result.status == 1, "\(label): exit \(result.status)\n\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(label): \(result.stderr.prefix(2000))")
        #expect(snapshot(lab) == files, "\(label) changed a file")
        #expect(try await serial(lab) == serialBefore, "\(label) changed the zone")
        let state = (try? FileManager.default.contentsOfDirectory(atPath: lab.dir.path + "/state")) ?? []
        #expect(state.allSatisfy { $0 == "lock" }, "\(label) wrote \(state) in the state directory")
        return result
    }

    @Test func everyHostileValueIsRefusedAndNothingIsWritten() async throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        try lab.writeDesired(vhosts: OutageSites.dualStack)
        let base = try String(contentsOfFile: lab.dir.path + "/desired/reconcile.yaml", encoding: .utf8)
        for hostile in Self.refused {
            try lab.dir.write("desired/reconcile.yaml", hostile.applied(to: base))
            try lab.dir.write(
                "desired/vhosts.yaml",
                "vhosts:\n"
                    + (OutageSites.dualStack + hostile.vhosts).replacingOccurrences(of: "PORT", with: "\(lab.port)"))
            for (name, contents) in hostile.files { try lab.dir.write("desired/" + name, contents) }
            _ = try await expectNothingWritten(lab, hostile.name, expected: hostile.expected)
            for name in hostile.files.keys {
                try FileManager.default.removeItem(atPath: lab.dir.path + "/desired/" + name)
            }
        }
        // The same lab, restored, applies: the refusals were the input's, not the lab's.
        try lab.writeDesired(vhosts: OutageSites.dualStack)
        let applied = try lab.reconcile(["apply", "--yes"])
        #expect(applied.status == 0, "\(applied.stderr)")
    }

    /// Paths may legitimately name any file, so traversal is not refused; they are only ever
    /// used as paths (normalized, opened, never run through a shell or spliced into a file),
    /// and a file that is not what the key names is an error that quotes none of its contents.
    static let paths: [Hostile] = [
        replacing("config: ../nginx/nginx.conf", "config: ../../../../../../../../etc/shadow", "/etc/shadow"),
        replacing("config: ../nginx/nginx.conf", "config: \"nginx.conf; touch PWNED\"", "nginx.conf; touch PWNED"),
        replacing("config: ../nginx/nginx.conf", "config: \"$(touch PWNED)\"", "$(touch PWNED)"),
        replacing("config: ../nginx/nginx.conf", "config: \"../nginx/`touch PWNED`\"", "`touch PWNED`"),
        replacing(
            "secret-file: ../keys/tsig.key", "secret-file: ../../../../../../../../etc/shadow",
            "/etc/shadow: cannot use the TSIG key"),
        replacing(
            "secret-file: ../keys/tsig.key", "secret-file: \"$(touch PWNED)\"",
            "$(touch PWNED): cannot use the TSIG key"),
        replacing(
            "secret-file: ../keys/tsig.key", "secret-file: ../../../../../../../../proc/self/environ",
            "/proc/self/environ: cannot use the TSIG key"),
        Hostile(
            name: "zone file path traversal to /etc/passwd",
            replacing: [
                ("provider: rfc2136", "provider: zonefile\n  zonefile: {path: ../../../../../../../../etc/passwd}")
            ],
            expected: "/etc/passwd"),
    ]

    @Test func pathsAreOnlyEverPaths() async throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        let base = try String(contentsOfFile: lab.dir.path + "/desired/reconcile.yaml", encoding: .utf8)
        let guarded = ["/etc/shadow", "/etc/passwd"].map { ($0, FileManager.default.contents(atPath: $0)) }
        for hostile in Self.paths {
            var text = hostile.applied(to: base)
            // The zone file provider takes neither server nor tsig.
            if text.contains("provider: zonefile") {
                text = text.split(separator: "\n").filter { !$0.contains("server:") && !$0.contains("tsig:") }.joined(
                    separator: "\n")
            }
            try lab.dir.write("desired/reconcile.yaml", text)
            let result = try await expectNothingWritten(lab, hostile.name, expected: hostile.expected)
            #expect(!FileManager.default.fileExists(atPath: lab.dir.path + "/PWNED"), "\(hostile.name) ran a shell")
            #expect(
                !FileManager.default.fileExists(atPath: lab.dir.path + "/desired/PWNED"), "\(hostile.name) ran a shell")
            #expect(!(result.stdout + result.stderr).contains("root:"), "\(hostile.name) quoted the file it read")
        }
        for (path, bytes) in guarded { #expect(FileManager.default.contents(atPath: path) == bytes, "\(path) changed") }
    }

    /// A command word with shell syntax is one argv word, never a shell line: the program of
    /// that name does not exist, the apply stops, and the written file is restored.
    @Test func commandWordsAreNeverAShellLine() async throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        let before = try lab.siteFiles()
        try lab.writeDesired(vhosts: OutageSites.dualStack, test: ["/bin/true; touch \(lab.dir.path)/PWNED"])
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("cannot run /bin/true; touch"), "\(apply.stderr)")
        #expect(apply.stderr.contains("every nginx file was restored byte for byte"), "\(apply.stderr)")
        #expect(!FileManager.default.fileExists(atPath: lab.dir.path + "/PWNED"))
        #expect(try lab.siteFiles() == before)
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
    }
}
