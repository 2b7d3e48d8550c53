import Foundation
import TestSupport
import Testing

/// Issue 18's acceptance: a newcomer follows the README. The desired state is the README's
/// schema example, with this lab's addresses, paths and port put in; nginx has Debian's
/// layout (sites-available, symlinked from sites-enabled); named is real and takes TSIG-signed
/// updates. Then validate, plan, probe, apply, plan, units, and every line the README quotes
/// from the lab appears in what the commands printed (ports, paths, times and durations
/// aside). `RECONCILE_TRANSCRIPT=DIR` keeps the transcripts the README shows.
@Suite(.serialized)
struct NewcomerWalkthroughTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The lines of the first code block after the line `start` in `text` (fences excluded).
    static func block(after start: String, in text: String, fence: String = "```") throws -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let from = try #require(lines.firstIndex { $0.hasPrefix(start) }, "README has no \(start)")
        let open = try #require(lines[from...].firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix(fence) })
        let close = try #require(lines[(open + 1)...].firstIndex { $0.trimmingCharacters(in: .whitespaces) == "```" })
        return Array(lines[(open + 1)..<close])
    }

    /// What differs between two runs: the lab's directory, ports, times, durations, pids and
    /// the padding that depends on them.
    static func normalized(_ line: String, lab: String) -> String {
        var text = line.replacingOccurrences(of: lab, with: "LAB")
        let patterns: [(String, String)] = [
            (#"/tmp/reconcile-lab-[0-9A-F]{8}"#, "LAB"),
            (#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, "TIME"),
            (#"-serve-\d+"#, "-serve-PID"),
            (#"\d+ ms"#, "N ms"),
            (#"\b\d{4,5}\b"#, "PORT"),
            (#" +"#, " "),
        ]
        for (pattern, replacement) in patterns {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// Each line of a README transcript (not the command, not "...") is in `output`.
    static func expectQuoted(_ quoted: [String], in output: String, lab: String, _ what: String) {
        let printed = Set(output.split(separator: "\n").map { normalized(String($0), lab: lab) })
        for line in quoted where !line.hasPrefix("$ ") && line != "..." && !line.isEmpty {
            #expect(printed.contains(normalized(line, lab: lab)), "\(what): the README quotes \"\(line)\"; not printed")
        }
    }

    @Test func aNewcomerFollowsTheReadme() async throws {
        let readme = try String(contentsOfFile: Self.root + "/README.md", encoding: .utf8)
        let nginxBinary = try ServerBinary.require("nginx")
        let dir = try TemporaryDirectory(prefix: "reconcile-lab")
        let port = LoopbackPort.free()

        // Debian's layout: sites-available, symlinked from sites-enabled.
        let names = ["example.social", "media.example.social", "legacy.example.social"]
        for name in names {
            try FileManager.default.createDirectory(atPath: dir.path + "/certs", withIntermediateDirectories: true)
            try SelfSignedCertificate.write(
                name: name, keyPath: "\(dir.path)/certs/\(name).key", certificatePath: "\(dir.path)/certs/\(name).crt")
        }
        let legacy = OutageSites.media.replacingOccurrences(of: "media.example.social", with: "legacy.example.social")
            .replacingOccurrences(of: "media\\n", with: "legacy\\n")
        for (file, text) in [
            ("example.conf", OutageSites.example), ("media.conf", OutageSites.media), ("legacy.conf", legacy),
        ] {
            try dir.write(
                "nginx/sites-available/\(file)",
                text.replacingOccurrences(of: "PORT", with: "\(port)").replacingOccurrences(
                    of: "CERTS", with: dir.path + "/certs"))
            try FileManager.default.createDirectory(
                atPath: dir.path + "/nginx/sites-enabled", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: dir.path + "/nginx/sites-enabled/\(file)", withDestinationPath: "../sites-available/\(file)")
        }
        let nginxDir = dir.path + "/nginx"
        let main = try dir.write(
            "nginx/nginx.conf", NginxServer.mainConfig(http: "include sites-enabled/*;\n", directory: nginxDir))
        let nginx = try NginxServer(directory: nginxDir, configPath: main.path)
        defer { nginx.stop() }
        let named = try NamedServer(
            zones: [
                .init(name: "example.social", contents: OutageLab.zone(OutageSites.records + "\nlegacy IN A 127.0.0.1"))
            ],
            keyAlgorithms: ["hmac-sha256"])
        defer { named.stop() }
        let key = try #require(named.key("hmac-sha256"))
        let keyFile = try dir.write("keys/tsig.key", key.keyFile)
        chmod(keyFile.path, 0o640)

        // The README's schema, with this lab put in. Each replaced text must be in the README.
        var yaml =
            try Self.block(after: "## Desired state", in: readme, fence: "```yaml").joined(separator: "\n") + "\n"
        let prefix = ["-p", nginxDir + "/", "-c", main.path, "-e", nginxDir + "/error.log"]
        func flow(_ argv: [String]) -> String { "[" + argv.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        let replacements: [(String, String)] = [
            ("ipv4: [203.0.113.10]", "ipv4: [127.0.0.1]"),
            ("ipv6: [2001:db8::10]", "ipv6: [\"::1\"]"),
            ("config: /etc/nginx/nginx.conf", "config: \(main.path)"),
            ("test: [nginx, -t, -q]", "test: \(flow([nginxBinary, "-t", "-q"] + prefix))"),
            ("reload: [systemctl, reload, nginx]", "reload: \(flow([nginxBinary] + prefix + ["-s", "reload"]))"),
            ("server: \"[::1]:53\"", "server: \"[::1]:\(named.port)\""),
            // The lab's NS cannot answer on port 53: its one server is listed instead.
            ("nameservers: auto", "nameservers: [\"[::1]:\(named.port)\"]"),
            ("name: reconcile,", "name: \(key.name),"),
            ("secret-file: /etc/reconcile/tsig.key", "secret-file: \(keyFile.path)"),
            ("ports: [80, 443]", "ports: [\(port)]"),
            ("ports: [443]", "ports: [\(port)]"),
        ]
        for (from, to) in replacements {
            #expect(yaml.contains(from), "the README's schema no longer has \(from)")
            yaml = yaml.replacingOccurrences(of: from, with: to)
        }
        try dir.write("desired/reconcile.yaml", yaml)

        func reconcile(_ arguments: [String]) throws -> ChildProcess.Result {
            let command = arguments.first
            let common =
                ["--desired", "desired"] + (command == "validate" || command == "units" ? [] : ["--no-color"])
                + (command == "validate" ? [] : ["--state-dir", dir.path + "/state"])
            return try ChildProcess.run(
                [OutageLab.binary] + arguments + common, currentDirectory: dir.path, timeout: 60)
        }
        var transcripts: [String: String] = [:]

        let validate = try reconcile(["validate"])
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout == "desired: valid: 3 vhosts in 1 file\n")
        #expect(validate.stderr == "")

        let plan = try reconcile(["plan", "--no-interface-check"])
        #expect(plan.status == 2, "\(plan.stdout)\n\(plan.stderr)")
        #expect(plan.stderr == "")

        var bundle = ""
        for name in names { bundle += try String(contentsOfFile: "\(dir.path)/certs/\(name).crt", encoding: .utf8) }
        let ca = try dir.write("certs.pem", bundle).path
        let probe = try reconcile(["probe", "--ca-file", ca, "--no-interface-check"])
        #expect(probe.status == 2, "\(probe.stdout)\n\(probe.stderr)")
        transcripts["probe"] = probe.stdout
        Self.expectQuoted(
            try Self.block(after: "A probe of a media vhost", in: readme), in: probe.stdout, lab: dir.path, "probe")

        let apply = try reconcile(["apply", "--yes", "--no-interface-check"])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        transcripts["apply"] = apply.stdout
        Self.expectQuoted(
            try Self.block(after: "The test suite reproduces the outage live", in: readme), in: apply.stdout,
            lab: dir.path, "apply")
        // Written through Debian's symlink: the file in sites-available changed, the link stays.
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: nginxDir + "/sites-enabled/media.conf")
                == "../sites-available/media.conf")
        let media = try String(contentsOfFile: nginxDir + "/sites-available/media.conf", encoding: .utf8)
        #expect(media.contains("    listen [::1]:\(port) ssl; # managed by reconcile\n"))

        let again = try reconcile(["plan", "--no-interface-check"])
        #expect(again.status == 0, "\(again.stdout)")
        #expect(again.stdout.hasSuffix("\nIn sync: no findings; nothing to change.\n"))
        let probeAgain = try reconcile(["probe", "--ca-file", ca, "--no-interface-check"])
        #expect(probeAgain.status == 0, "\(probeAgain.stdout)")
        #expect(probeAgain.stdout.hasSuffix("All 5 probes answered.\n"))

        // The lab lives under /tmp, which the service's PrivateTmp would hide: units says so.
        let units = try reconcile(["units"])
        #expect(units.status == 1)
        #expect(
            units.stderr.hasPrefix(
                "error: --desired \(dir.path)/desired: the service runs with PrivateTmp=yes, so it sees its own empty /tmp and /var/tmp; keep this outside them\n"
            ))
        // As the README's timer section has it, for the host's own paths.
        let install = try ChildProcess.run(
            [
                OutageLab.binary, "units", "--desired", "/etc/reconcile/desired-state", "--install", "--root",
                dir.path + "/root",
            ],
            currentDirectory: dir.path)
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stdout.hasSuffix("systemctl daemon-reload\n  systemctl enable --now reconcile.timer\n"))
        let analyze = try ServerBinary.require("systemd-analyze")
        let verify = try ChildProcess.run([
            analyze, "verify", dir.path + "/root/etc/systemd/system/reconcile.service",
            dir.path + "/root/etc/systemd/system/reconcile.timer",
        ])
        #expect(verify.succeeded && verify.stderr.isEmpty, "\(verify.stderr)")

        // The README's example of a desired state with mistakes: its errors, word for word.
        try dir.write(
            "desired-state/reconcile.yaml",
            "host: {ipv4: [203.0.113.10], ipv6: [\"2001:db8::10\"]}\nnginx: {config: /etc/nginx/nginx.conf}\n"
                + "dns: {provider: rfc2136, server: \"[::1]:53\", zones: [example.social]}\n")
        try dir.write(
            "desired-state/vhosts.yaml",
            """
            vhosts:
              example.social:       {families: [ipv4, ipv6], ports: [80, 443]}
              media.example.social: {families: [ipv4, ipv7], ports: [443]}
              a.example.social; include /etc/shadow: {}

            """)
        let mistakes = try ChildProcess.run([OutageLab.binary, "validate"], currentDirectory: dir.path)
        #expect(mistakes.status == 1)
        let quoted = try Self.block(after: "  reported, not just the first:", in: readme).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        #expect(quoted.first == "$ reconcile validate")
        #expect(mistakes.stderr == quoted.dropFirst().joined(separator: "\n") + "\n")

        if let directory = ProcessInfo.processInfo.environment["RECONCILE_TRANSCRIPT"] {
            for (name, text) in transcripts {
                try text.write(toFile: directory + "/walkthrough-\(name).txt", atomically: true, encoding: .utf8)
            }
        }
    }
}
