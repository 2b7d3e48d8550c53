import DesiredState
import Foundation
import Reconciler
import TestSupport
import Testing

/// `reconcile init` against the live §1 lab: real nginx and named on loopback.
@Suite(.serialized)
struct InitTests {
    /// `reconcile init` on `lab`, writing `lab/OUT/reconcile.yaml`.
    func initialize(_ lab: OutageLab, out: String = "adopted", extra: [String] = []) throws -> ChildProcess.Result {
        let server = "127.0.0.1:\(lab.named.port)"
        return try ChildProcess.run(
            [
                OutageLab.binary, "init", "--nginx", lab.dir.path + "/nginx/nginx.conf", "--zone", "example.social",
                "--server", server, "--nameserver", server, "--ipv4", "127.0.0.1", "--ipv6", "::1", "--out", out,
                "--state-dir", lab.dir.path + "/state", "--no-color",
            ] + extra, currentDirectory: lab.dir.path, timeout: 60)
    }

    /// The drift findings (critical and error) of `reconcile plan --desired DIR --format json`.
    func driftFindings(_ lab: OutageLab, desired: String) throws -> (status: Int32, findings: [[String: Any]]) {
        let plan = try ChildProcess.run(
            [
                OutageLab.binary, "plan", "--desired", desired, "--state-dir", lab.dir.path + "/state", "--format",
                "json",
            ],
            currentDirectory: lab.dir.path, timeout: 60)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let findings = try #require(json["findings"] as? [[String: Any]])
        let drift = findings.filter { ["critical", "error"].contains($0["severity"] as? String ?? "") }
        return (plan.status, drift)
    }

    @Test func theOutageLabYieldsADesiredStateWhosePlanIsTheMediaOutage() throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media], records: OutageSites.records,
            vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        let result = try initialize(lab)
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("Wrote adopted/reconcile.yaml: 2 vhosts, valid."), "\(result.stdout)")
        // The plan's summary ends the output: the outage in the first minute.
        #expect(
            result.stdout.contains("critical RC001 advertised-not-served  ipv6 port \(lab.port)"), "\(result.stdout)")

        let state = try DesiredStateLoader().load(directory: lab.dir.path + "/adopted")
        #expect(state.vhosts.map(\.name) == ["example.social", "media.example.social"])
        #expect(state.vhosts.allSatisfy { $0.families == [.ipv4, .ipv6] && $0.ports == [lab.port] })
        let text = try String(contentsOfFile: lab.dir.path + "/adopted/reconcile.yaml", encoding: .utf8)
        #expect(text.contains("  # sites/media.conf:2 listen 127.0.0.1:\(lab.port) ssl;\n"), "\(text)")
        #expect(text.contains("  # DNS: A 127.0.0.1 published; AAAA ::1 published\n"), "\(text)")
        #expect(text.contains("  \"media.example.social\": {families: [ipv4, ipv6], ports: [\(lab.port)]}\n"))

        let validate = try ChildProcess.run(
            [OutageLab.binary, "validate", "--desired", "adopted"], currentDirectory: lab.dir.path, timeout: 60)
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout == "adopted: valid: 2 vhosts in 1 file\n")

        let plan = try driftFindings(lab, desired: "adopted")
        #expect(plan.status == 2)
        #expect(plan.findings.count == 1, "\(plan.findings)")
        let finding = try #require(plan.findings.first)
        #expect(finding["code"] as? String == "RC001")
        #expect(finding["vhost"] as? String == "media.example.social")
        #expect(finding["family"] as? String == "ipv6")
    }

    @Test func anInSyncLabYieldsAPlanThatExitsZero() throws {
        let lab = try OutageLab.inSync()
        defer { lab.stop() }
        let result = try initialize(lab)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let plan = try driftFindings(lab, desired: "adopted")
        #expect(plan.status == 0, "\(plan.findings)")
        #expect(plan.findings.isEmpty)
    }

    @Test func aSecondInitRefusesToOverwriteAndForceDoes() throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media], records: OutageSites.records,
            vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        #expect(try initialize(lab).status == 2)
        let path = lab.dir.path + "/adopted/reconcile.yaml"
        try "# edited by the operator\n".write(toFile: path, atomically: false, encoding: .utf8)
        let again = try initialize(lab)
        #expect(again.status == 3, "\(again.stderr)")
        #expect(
            again.stderr.contains("init never overwrites one (--force writes reconcile.yaml anyway)"), "\(again.stderr)"
        )
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "# edited by the operator\n")
        // The lab's own desired state is a desired state too.
        let besideAnother = try initialize(lab, out: "desired")
        #expect(besideAnother.status == 3)
        #expect(besideAnother.stderr.contains("(reconcile.yaml, vhosts.yaml)"), "\(besideAnother.stderr)")

        let forced = try initialize(lab, extra: ["--force"])
        #expect(forced.status == 2, "\(forced.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("\"media.example.social\""))
    }

    /// Names nginx accepts but no host name has: quotes, `;`, `#`, line breaks, control bytes.
    /// In process, over a tree nginx never loads, with named answering for the zone.
    @Test func hostileServerNamesNeverReachTheYAMLUnescaped() async throws {
        let named = try NamedServer(zones: [
            .init(name: "example.social", contents: OutageLab.zone(OutageSites.records))
        ])
        defer { named.stop() }
        let dir = try TemporaryDirectory(prefix: "reconcile-init")
        // The tree's own path is hostile too: it is written as nginx.config.
        let tree = "nginx \"q\";#x"
        let hostile = [
            #""evil\"name.example.social""#, #"'a;b.example.social'"#, "\"line\nbreak.example.social\"",
            "\"bell\u{07}.example.social\"", "\"nel\u{85}.example.social\"", "\"#comment\"", "\"x: y\"",
        ]
        try dir.write(
            tree + "/nginx.conf",
            """
            events {}
            http {
                server {
                    listen 127.0.0.1:8443 ssl;
                    server_name media.example.social \(hostile.joined(separator: " "));
                }
                server {
                    listen 127.0.0.1:80 default_server;
                    server_name _ *.example.social ~^(?<x>.+)\\.example\\.social$;
                }
            }

            """)
        var request = Adopter.Request()
        request.nginxConfig = dir.path + "/" + tree + "/nginx.conf"
        request.zones = ["example.social"]
        request.server = "127.0.0.1:\(named.port)"
        request.nameservers = [request.server ?? ""]
        request.ipv4 = ["127.0.0.1"]
        request.ipv6 = ["::1"]
        request.output = dir.path + "/adopted"
        let result = try await Adopter(request: request).run()

        #expect(result.state.vhosts.map(\.name) == ["media.example.social"])
        #expect(result.state.nginx.config == request.nginxConfig)
        let bytes = try #require(FileManager.default.contents(atPath: result.path))
        #expect(String(decoding: bytes, as: UTF8.self) == result.text)
        // Printable ASCII and newlines only: no control byte, no other line break.
        #expect(bytes.allSatisfy { $0 == 0x0A || (0x20...0x7E).contains($0) })
        let lines = result.text.split(separator: "\n")
        for name in ["evil", "a;b", "line", "bell", "nel", "#comment", "x: y"] {
            let mentions = lines.filter { $0.contains(name) }
            #expect(!mentions.isEmpty, "\(name)")
            #expect(mentions.allSatisfy { $0.hasPrefix("#") }, "\(mentions)")
        }
        #expect(lines.contains { $0.contains("\"*.example.social\": wildcard name") })
        #expect(lines.contains { $0.contains("regular expression") })
        #expect(lines.contains { $0.contains("default server of 127.0.0.1:80") })
        #expect(lines.contains { $0.contains(#""line\x0Abreak.example.social": not a host name"#) }, "\(result.text)")
    }

    /// Without --ipv4/--ipv6 the host is this machine's global addresses; what was left out is
    /// said in a comment. On the bundled example (zone file provider, no server needed).
    @Test func theHostIsTheInterfacesGlobalAddresses() async throws {
        let dir = try TemporaryDirectory(prefix: "reconcile-init")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        var request = Adopter.Request()
        request.nginxConfig = root + "/example/nginx/nginx.conf"
        request.zones = ["example.social"]
        request.provider = "zonefile"
        request.zoneFile = root + "/example/zones/example.social.zone"
        request.output = dir.path + "/adopted"
        var adopter = Adopter(request: request)
        adopter.interfaces = { ["127.0.0.1", "::1", "fe80::1", "8.8.4.4", "2a01:4f8::1"] }
        let result = try await adopter.run()
        #expect(result.state.host.ipv4.map(\.description) == ["8.8.4.4"])
        #expect(result.state.host.ipv6.map(\.description) == ["2a01:4f8::1"])
        #expect(result.text.contains("  # left out fe80::1: link-local (fe80::/10)\n"))
        #expect(result.state.vhosts.map(\.name) == ["example.social", "media.example.social"])
        #expect(result.state.vhosts.map(\.ports) == [[80, 443], [443]])

        // Loopback only: no address to write, so nothing is written and the error says so.
        var elsewhere = request
        elsewhere.output = dir.path + "/elsewhere"
        var bare = Adopter(request: elsewhere)
        bare.interfaces = { ["127.0.0.1", "::1"] }
        await #expect(throws: ReconcileError.self) { try await bare.run() }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/elsewhere/reconcile.yaml"))
    }

    @Test func onlyGlobalAddressesAreTheHosts() {
        let selection = HostAddressSelection(interfaceAddresses: [
            "127.0.0.1", "::1", "fe80::1", "169.254.1.1", "10.1.2.3", "192.0.2.7", "2001:db8::5", "fd00::1",
            "8.8.4.4", "2a01:4f8::1",
        ])
        #expect(selection.ipv4 == ["8.8.4.4"])
        #expect(selection.ipv6 == ["2a01:4f8::1"])
        #expect(selection.notes.count == 8)
        #expect(selection.notes.contains("left out fe80::1: link-local (fe80::/10)"))
        #expect(selection.notes.contains("left out 192.0.2.7: documentation range (RFC 5737)"))
    }
}
