import DNS
import DesiredState
import Foundation
import Nginx
import Probe
import Reconciler
import TestSupport
import Testing

/// Findings that say what nginx does (issue 15), each against real nginx and named on
/// loopback, with the finding's text and JSON asserted exactly and what a client gets checked
/// over both families.
@Suite(.serialized)
struct NginxFaithfulFindingsTests {
    /// The `findings` of a JSON plan, as plain values.
    static func findings(_ json: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return try #require(object?["findings"] as? [[String: Any]])
    }

    /// JSON values in one canonical text (sorted keys), to compare exactly.
    static func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Blocks served only by a wildcard and only by a regex `server_name`, both families; and
    /// an exact block for app1 on IPv4 only, so on [::1] the regex block answers app1.
    static let wildcardAndRegexSites = [
        "zexact.conf": """
        server {
            listen 127.0.0.1:PORT;
            server_name app1.example.social;
            return 200 "exact\\n";
        }

        """,
        "regex.conf": """
        server {
            listen 127.0.0.1:PORT;
            listen [::1]:PORT;
            server_name "~^app\\d+\\.example\\.social$";
            return 200 "regex\\n";
        }

        """,
        "wild.conf": """
        server {
            listen 127.0.0.1:PORT;
            listen [::1]:PORT;
            server_name *.media.example.social;
            return 200 "wild\\n";
        }

        """,
    ]

    @Test func aVhostServedByAWildcardOrRegexBlockIsServedByItsOwnBlock() throws {
        let lab = try OutageLab(
            sites: Self.wildcardAndRegexSites,
            records: """
                pics.media IN A 127.0.0.1
                pics.media IN AAAA ::1
                app1 IN A 127.0.0.1
                app1 IN AAAA ::1
                ghost IN A 127.0.0.1
                """,
            vhosts: """
                  pics.media.example.social: {families: [ipv4, ipv6], ports: [PORT]}
                  app1.example.social: {families: [ipv4, ipv6], ports: [PORT]}
                  ghost.example.social: {families: [ipv4], ports: [PORT]}

                """)
        defer { lab.stop() }
        // What a client gets: the wildcard and the regex block, over both families.
        for address in ["127.0.0.1", "::1"] {
            #expect(
                try HTTPProbe.get(address: address, port: lab.port, host: "pics.media.example.social").body == "wild\n")
            #expect(
                try HTTPProbe.get(address: address, port: lab.port, host: "app1.example.social").body
                    == (address == "::1" ? "regex\n" : "exact\n"))
            // No server_name matches ghost: the socket's first block answers.
            #expect(try HTTPProbe.get(address: address, port: lab.port, host: "ghost.example.social").body == "regex\n")
        }

        let text = try lab.reconcile(["plan"])
        #expect(text.status == 2, "\(text.stderr)")
        let port = lab.port
        #expect(
            text.stdout.components(separatedBy: "\n\n").dropFirst().joined(separator: "\n\n") == """
                ghost.example.social
                  critical RC001 advertised-not-served  ipv4 port \(port)
                      DNS publishes A for ghost.example.social, but nginx does not serve it over ipv4 on port \(port)
                      answered instead by: nginx/sites/regex.conf:1: server { server_name ~^app\\d+\\.example\\.social$; }
                      ghost.example.social. 300 IN A 127.0.0.1
                  error RC007 missing-server-block
                      no server block has a server_name matching ghost.example.social (exact, wildcard or regex); add one (reconcile does not write server blocks)
                      searched 3 server blocks in 4 files

                Plan: 0 changes (0 nginx, 0 DNS). Findings: 1 critical, 1 error.

                """, "\(text.stdout)")

        let json = try lab.reconcile(["plan", "--format", "json"])
        #expect(json.status == 2)
        let expected: [[String: Any]] = [
            [
                "code": "RC001", "slug": "advertised-not-served", "severity": "critical",
                "vhost": "ghost.example.social", "family": "ipv4", "port": Int(port),
                "message":
                    "DNS publishes A for ghost.example.social, but nginx does not serve it over ipv4 on port \(port)",
                "evidence": [
                    "answered instead by: nginx/sites/regex.conf:1: server { server_name ~^app\\d+\\.example\\.social$; }",
                    "ghost.example.social. 300 IN A 127.0.0.1",
                ],
                "answered_by": [
                    "file": lab.dir.path + "/nginx/sites/regex.conf", "line": 1,
                    "server_names": ["~^app\\d+\\.example\\.social$"],
                ] as [String: Any],
            ],
            [
                "code": "RC007", "slug": "missing-server-block", "severity": "error", "vhost": "ghost.example.social",
                "message":
                    "no server block has a server_name matching ghost.example.social (exact, wildcard or regex); add one (reconcile does not write server blocks)",
                "evidence": ["searched 3 server blocks in 4 files"],
            ],
        ]
        #expect(try Self.canonical(Self.findings(json.stdout)) == Self.canonical(expected), "\(json.stdout)")
    }

    /// `ok (HTTP 200, 9 ms)` without the time, which varies.
    static func verdicts(_ stdout: String) -> [String] {
        stdout.split(separator: "\n").map { line in
            line.replacingOccurrences(of: #", \d+ ms\)"#, with: ")", options: .regularExpression)
        }
    }

    /// media's block has no `ssl` on its listens; example.social's `ssl` listens on the same
    /// sockets make them TLS (nginx ORs `ssl` over every listen of an address:port).
    static let tlsFromAnotherBlock = [
        "example.conf": OutageSites.example,
        "media.conf": """
        server {
            listen 127.0.0.1:PORT;
            listen [::1]:PORT;
            server_name media.example.social;
            ssl_certificate CERTS/media.example.social.crt;
            ssl_certificate_key CERTS/media.example.social.key;
            return 200 "media\\n";
        }

        """,
    ]

    @Test func theProbeSpeaksTLSWhereTheSocketDoes() throws {
        let lab = try OutageLab(
            sites: Self.tlsFromAnotherBlock, records: OutageSites.records, vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        // A client gets media over TLS on both families.
        #expect(try lab.https("media.example.social", via: "127.0.0.1") == "media\n")
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        let probe = try lab.reconcile(["probe", "--ca-file", try lab.certificateBundle()])
        #expect(probe.status == 0, "\(probe.stdout)\(probe.stderr)")
        let port = lab.port
        #expect(
            Self.verdicts(probe.stdout) == [
                "example.social        ipv4  \(port)  127.0.0.1  ok (HTTP 200)",
                "example.social        ipv6  \(port)  [::1]      ok (HTTP 200)",
                "media.example.social  ipv4  \(port)  127.0.0.1  ok (HTTP 200)",
                "media.example.social  ipv6  \(port)  [::1]      ok (HTTP 200)",
                "All 4 probes answered.",
            ], "\(probe.stdout)")
        let json = try lab.reconcile(["probe", "--ca-file", try lab.certificateBundle(), "--format", "json"])
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let probes = try #require(report?["probes"] as? [[String: Any]])
        #expect(probes.map { $0["tls"] as? Bool } == [true, true, true, true], "\(json.stdout)")
    }

    @Test func theProbeSpeaksTLSOnALegacySSLOnBlock() throws {
        let legacy = [
            "media.conf": Self.tlsFromAnotherBlock["media.conf", default: ""].replacingOccurrences(
                of: "server_name media.example.social;", with: "server_name media.example.social;\n    ssl on;")
        ]
        // media alone on its sockets: only `ssl on;` makes them TLS.
        let lab = try OutageLab(
            sites: ["media.conf": legacy["media.conf", default: ""]], records: OutageSites.records,
            vhosts: "  media.example.social: {families: [ipv4, ipv6], ports: [PORT]}\n")
        defer { lab.stop() }
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        let probe = try lab.reconcile(["probe", "--ca-file", try lab.certificateBundle()])
        #expect(probe.status == 0, "\(probe.stdout)\(probe.stderr)")
        #expect(
            Self.verdicts(probe.stdout) == [
                "media.example.social  ipv4  \(lab.port)  127.0.0.1  ok (HTTP 200)",
                "media.example.social  ipv6  \(lab.port)  [::1]      ok (HTTP 200)",
                "All 2 probes answered.",
            ], "\(probe.stdout)")
    }

    @Test func plainHTTPToATLSPortIsAFailure() async throws {
        let lab = try OutageLab(
            sites: Self.tlsFromAnotherBlock, records: OutageSites.records, vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        let targets = [
            ProbeTarget(vhost: "media.example.social", family: .ipv4, address: "127.0.0.1", port: lab.port, tls: false),
            ProbeTarget(vhost: "media.example.social", family: .ipv6, address: "::1", port: lab.port, tls: false),
        ]
        let results = await Prober(timeout: .seconds(5)).probe(targets)
        #expect(results.map(\.failure) == [.badRequest(overTLS: false), .badRequest(overTLS: false)])
        #expect(
            results.map(\.line) == [
                "media.example.social  ipv4  \(lab.port)  127.0.0.1  HTTP 400 Bad Request to plain HTTP (what nginx answers on a TLS port: \"The plain HTTP request was sent to HTTPS port\")",
                "media.example.social  ipv6  \(lab.port)  [::1]  HTTP 400 Bad Request to plain HTTP (what nginx answers on a TLS port: \"The plain HTTP request was sent to HTTPS port\")",
            ])
    }

    @Test func applyListsWhatNeedsAManualFixAndExits2() throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\nmedia IN A 127.0.0.1\nmedia IN AAAA ::1\n",
            vhosts: OutageSites.dualStack + "  ghost.example.social: {families: [ipv4], ports: [PORT]}\n")
        defer { lab.stop() }
        let port = lab.port
        let manual = """
            3 findings need a manual fix:
              error RC007 missing-server-block  ghost.example.social: no server block has a server_name matching ghost.example.social (exact, wildcard or regex); add one (reconcile does not write server blocks)
              error RC003 missing-record  ghost.example.social ipv4: DNS does not publish 127.0.0.1 (A) for ghost.example.social; it will be published once nginx serves ghost.example.social over ipv4
              error RC002 missing-listen  ghost.example.social ipv4 port \(port): nginx does not serve ghost.example.social over ipv4 on port \(port)
            """
        let first = try lab.reconcile(["apply", "--yes"])
        #expect(first.status == 2, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.hasSuffix("Applied 1 change.\n" + manual + "\n"), "\(first.stdout)")
        // media is fixed; what is left is the same, and apply says it changes nothing.
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        let second = try lab.reconcile(["apply", "--yes"])
        #expect(second.status == 2, "\(second.stdout)\(second.stderr)")
        #expect(second.stdout.hasSuffix("Nothing reconcile can change.\n" + manual + "\n"), "\(second.stdout)")
        let json = try lab.reconcile(["apply", "--yes", "--format", "json"])
        #expect(json.status == 2, "\(json.stderr)")
        #expect(
            try Self.findings(json.stdout).map { $0["code"] as? String } == ["RC007", "RC003", "RC002"],
            "\(json.stdout)")
    }

    /// `listen P;` beside `listen [::]:P ipv6only=off;`: real nginx's `nginx -t` accepts it
    /// (starting it fails with "bind() to 0.0.0.0:P failed (98: Address already in use)", shown
    /// in a private network namespace by ListenConflictTests), and the plan says so.
    @Test func aListenSetNginxCannotBindIsAnErrorNamingBothListens() throws {
        let nginx = try ServerBinary.require("nginx")
        let directory = try TemporaryDirectory(prefix: "listen-conflict")
        let port = LoopbackPort.free()
        try directory.write(
            "sites/a.conf",
            """
            server {
                listen \(port);
                server_name a.example.social;
            }
            server { listen [::]:\(port) ipv6only=off; server_name b.example.social; }

            """)
        let config = try directory.write(
            "nginx.conf", NginxServer.mainConfig(http: "include sites/*.conf;", directory: directory.path))
        let test = try ChildProcess.run([
            nginx, "-t", "-q", "-p", directory.path + "/", "-c", config.path, "-e", directory.path + "/error.log",
        ])
        #expect(test.status == 0, "nginx -t: \(test.stderr)")

        let plan = try Self.plan(config: config.path, base: directory.path, vhosts: "", records: [])
        let conflicts = plan.findings.filter { $0.kind == .listenConflict }
        let message =
            "nginx cannot start with these listens: bind() to 0.0.0.0:\(port) failed (98: Address already in use) at start or reload, though nginx -t passes ([::]:\(port) ipv6only=off holds the IPv4 port)"
        let json: [String: Any] = [
            "code": "RC018", "slug": "listen-conflict", "severity": "error", "vhost": "nginx.conf",
            "message": message,
            "evidence": [
                "sites/a.conf:5: listen [::]:\(port) ipv6only=off;",
                "sites/a.conf:2: listen \(port);",
            ],
        ]
        #expect(conflicts.count == 1)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(conflicts)) as? [Any]
        #expect(try Self.canonical(encoded ?? []) == Self.canonical([json]))
        #expect(!plan.inSync)
        let text = PlanText(color: false, displayBase: directory.path).render(plan)
        #expect(
            text.hasPrefix(
                """
                nginx.conf
                  error RC018 listen-conflict
                      \(message)
                      sites/a.conf:5: listen [::]:\(port) ipv6only=off;
                      sites/a.conf:2: listen \(port);

                """), "\(text)")
    }

    /// The vhost's own block listens on `[::]:P`, another block on `[::1]:P`: nginx matches the
    /// address first, so IPv6 requests to `[::1]` never reach the own block. The finding names
    /// the capturing listen with its line, and JSON names the answering block. Wildcards bind
    /// only in a private network namespace (nothing but loopback there).
    @Test(
        .enabled(
            if: ServerBinary.isCI || PrivateNetwork.isAvailable, "needs CAP_SYS_ADMIN for a private network namespace"))
    func aSpecificAddressListenThatCapturesTheVhostIsNamed() throws {
        try #require(PrivateNetwork.isAvailable, "needs CAP_SYS_ADMIN for a private network namespace")
        let directory = try TemporaryDirectory(prefix: "capture")
        try directory.write(
            "sites/a.conf",
            """
            server {
                listen 8080;
                listen [::]:8080;
                server_name a.example.social;
                return 200 "a\\n";
            }

            """)
        try directory.write(
            "sites/b.conf",
            """
            server {
                listen [::1]:8080;
                server_name b.example.social;
                return 200 "b\\n";
            }

            """)
        let config = try directory.write(
            "nginx.conf", NginxServer.mainConfig(http: "include sites/*.conf;", directory: directory.path))
        let bodies = try PrivateNetwork.run {
            let server = try NginxServer(directory: directory.path, configPath: config.path)
            defer { server.stop() }
            return try ["127.0.0.1", "::1"].map {
                try HTTPProbe.get(address: $0, port: 8080, host: "a.example.social").body
            }
        }
        #expect(bodies == ["a\n", "b\n"])

        let plan = try Self.plan(
            config: config.path, base: directory.path, vhosts: "  a.example.social: {ports: [8080]}\n",
            records: ["a.example.social. 300 IN A 127.0.0.1", "a.example.social. 300 IN AAAA ::1"])
        let captured = plan.findings.filter { $0.kind == .answeredByOtherBlock }
        let message =
            "a.example.social's own block listens on ipv6 port 8080, but nginx gives the requests to another block: its listen [::1]:8080 is matched first for connections to [::1]:8080 (nginx picks the address:port before the name)"
        let json: [String: Any] = [
            "code": "RC008", "slug": "answered-by-other-block", "severity": "critical", "vhost": "a.example.social",
            "family": "ipv6", "port": 8080, "message": message,
            "evidence": [
                "sites/a.conf:2: listen 8080;",
                "sites/a.conf:3: listen [::]:8080;",
                "answered by: sites/b.conf:1: server { server_name b.example.social; }",
                "captured by: sites/b.conf:2: listen [::1]:8080;",
                "a.example.social. 300 IN AAAA ::1",
            ],
            "answered_by": ["file": directory.path + "/sites/b.conf", "line": 1, "server_names": ["b.example.social"]],
        ]
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(captured))
        #expect(try Self.canonical(encoded) == Self.canonical([json]))
        let text = PlanText(color: false, displayBase: directory.path).render(plan)
        #expect(
            text.hasPrefix(
                """
                a.example.social
                  critical RC008 answered-by-other-block  ipv6 port 8080
                      \(message)
                      sites/a.conf:2: listen 8080;
                      sites/a.conf:3: listen [::]:8080;
                      answered by: sites/b.conf:1: server { server_name b.example.social; }
                      captured by: sites/b.conf:2: listen [::1]:8080;
                      a.example.social. 300 IN AAAA ::1

                """), "\(text)")
    }

    /// A plan, in process, of the tree at `config` with `vhosts` and the records given (zone
    /// example.social), host 127.0.0.1 and ::1; paths shown relative to `base`.
    static func plan(config: String, base: String, vhosts: String, records: [String]) throws -> Plan {
        let tree = try NginxConfigTree.load(mainConfig: config, reader: DiskNginxFileReader())
        let desired = try DesiredStateLoader(
            fileSystem: InMemoryFileSystem(
                files: [
                    "d/s.yaml": """
                    host: {ipv4: [127.0.0.1], ipv6: ["::1"]}
                    nginx: {config: /etc/nginx/nginx.conf}
                    dns: {provider: rfc2136, server: "[::1]:53", zones: [example.social]}
                    vhosts:\(vhosts.isEmpty ? " {}" : "\n" + vhosts)
                    """
                ], currentDirectory: "/")
        ).load(directory: "d")
        let zone = try DNSName("example.social.")
        let parsed = try records.map { try ResourceRecord(presentation: $0, origin: zone) }
        return Planner(
            desired: desired,
            observation: Observation(
                nginx: tree,
                dns: DNSObservation(zones: [zone: ZoneSnapshot(zone: zone, serial: 1, source: .axfr, records: parsed)]),
                interfaces: nil, dnsSource: "test"),
            fingerprint: DesiredFingerprint(digest: "d"), displayBase: base
        ).plan()
    }

    /// Probe failures in one line of the operator's words: an expired certificate, a
    /// self-signed one, and TLS spoken to a plain-HTTP port; no library codes or source paths.
    @Test func probeFailuresSayWhatFailedAndWhy() async throws {
        let openssl = try ServerBinary.require("openssl")
        let faketime = try ServerBinary.require("faketime")
        let directory = try TemporaryDirectory(prefix: "probe-words")
        for (name, past) in [("expired.example.social", true), ("self.example.social", false)] {
            let request = SelfSignedCertificate.command(
                openssl: openssl, name: name, keyPath: "\(directory.path)/\(name).key",
                certificatePath: "\(directory.path)/\(name).crt", days: 1)
            let made = try ChildProcess.run(
                past ? [faketime, "2020-01-01 00:00:00"] + request : request,
                environment: ["TZ": "UTC", "PATH": "/usr/bin:/bin"])
            #expect(made.succeeded, "\(made.stderr)")
        }
        let tlsPort = LoopbackPort.free()
        let plainPort = LoopbackPort.free()
        let tlsSites = ["expired.example.social", "self.example.social"].map { name in
            """
            server {
                listen 127.0.0.1:\(tlsPort) ssl; listen [::1]:\(tlsPort) ssl;
                server_name \(name);
                ssl_certificate \(directory.path)/\(name).crt;
                ssl_certificate_key \(directory.path)/\(name).key;
                return 200;
            }
            """
        }
        let nginx = try NginxServer(
            http: tlsSites.joined(separator: "\n")
                + "\nserver { listen 127.0.0.1:\(plainPort); listen [::1]:\(plainPort); return 200; }\n",
            in: directory)
        defer { nginx.stop() }
        let results = await Prober(timeout: .seconds(5)).probe([
            ProbeTarget(vhost: "expired.example.social", family: .ipv4, address: "127.0.0.1", port: tlsPort, tls: true),
            ProbeTarget(vhost: "self.example.social", family: .ipv6, address: "::1", port: tlsPort, tls: true),
            ProbeTarget(vhost: "self.example.social", family: .ipv4, address: "127.0.0.1", port: plainPort, tls: true),
        ])
        #expect(
            results.map(\.line) == [
                "expired.example.social  ipv4  \(tlsPort)  127.0.0.1  TLS handshake failed: certificate expired on 2020-01-02 (CN=expired.example.social)",
                "self.example.social  ipv6  \(tlsPort)  [::1]  TLS handshake failed: certificate is self-signed (CN=self.example.social) and not trusted; a private CA is given with --ca-file",
                "self.example.social  ipv4  \(plainPort)  127.0.0.1  TLS handshake failed: protocol mismatch: the server did not answer in TLS (is the port plain HTTP?)",
            ])
    }

    /// A one-line server block whose socket is TLS only through another block's `ssl` listen:
    /// the added listen says `ssl` (else IPv6 clients would get plain HTTP) and goes on a line
    /// of its own, no trailing space, the rest of the line kept at the new line's indentation.
    @Test func theAddedListenCopiesTLSFromTheSocketAndGetsALineOfItsOwn() throws {
        let media =
            "server { listen 127.0.0.1:PORT; server_name media.example.social; ssl_certificate CERTS/media.example.social.crt; ssl_certificate_key CERTS/media.example.social.key; return 200 \"media\\n\"; }\n"
        let example = """
            server {
                listen 127.0.0.1:PORT ssl;
                server_name example.social;
                ssl_certificate CERTS/example.social.crt;
                ssl_certificate_key CERTS/example.social.key;
                return 200 "example\\n";
            }

            """
        let lab = try OutageLab(
            sites: ["example.conf": example, "media.conf": media],
            records: "@ IN A 127.0.0.1\nmedia IN A 127.0.0.1\nmedia IN AAAA ::1\n",
            vhosts: """
                  example.social: {families: [ipv4], ports: [PORT]}
                  media.example.social: {families: [ipv4, ipv6], ports: [PORT]}

                """)
        defer { lab.stop() }
        #expect(try lab.https("media.example.social", via: "127.0.0.1") == "media\n")
        #expect(try lab.https("media.example.social", via: "::1") == nil)
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(
            apply.stdout.contains("+ listen [::1]:\(lab.port) ssl; # managed by reconcile   nginx/sites/media.conf:2"),
            "\(apply.stdout)")
        let certs = lab.dir.path + "/certs"
        #expect(
            String(decoding: try lab.siteFiles()["media.conf"] ?? [], as: UTF8.self) == """
                server { listen 127.0.0.1:\(lab.port);
                    listen [::1]:\(lab.port) ssl; # managed by reconcile
                    server_name media.example.social; ssl_certificate \(certs)/media.example.social.crt; ssl_certificate_key \(certs)/media.example.social.key; return 200 "media\\n"; }

                """)
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        #expect(try lab.reconcile(["plan"]).status == 0)
    }

    /// The first 16 hex digits of SHA-256 of `text`, as the probe shows a body.
    static func digest(_ text: String) throws -> String {
        let sum = try ChildProcess.run([try ServerBinary.require("sha256sum")], input: Data(text.utf8))
        return String(sum.stdout.prefix(16))
    }

    /// example.social on 127.0.0.1 from its block, on [::1] from `ipv6Block` (same certificate).
    static func familiesLab(ipv6Block: String) throws -> OutageLab {
        let v4 = OutageSites.example.replacingOccurrences(of: "    listen [::1]:PORT ssl;\n", with: "")
        let v6 = """
            server {
                listen [::1]:PORT ssl;
                server_name example.social;
                ssl_certificate CERTS/example.social.crt;
                ssl_certificate_key CERTS/example.social.key;
                \(ipv6Block)
            }

            """
        return try OutageLab(
            sites: ["example.conf": v4, "stale.conf": v6], records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\n",
            vhosts: "  example.social: {families: [ipv4, ipv6], ports: [PORT]}\n")
    }

    /// The `families-differ` finding of `plan --probe`, text and JSON, against `expected`.
    func expectFamiliesDiffer(_ lab: OutageLab, message: String, evidence: [String]) throws {
        let ca = try lab.certificateBundle()
        let probe = try lab.reconcile(["probe", "--ca-file", ca])
        #expect(probe.status == 2, "\(probe.stdout)\(probe.stderr)")
        let lines = probe.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("RC019 families-differ: \(message)"), "\(probe.stdout)")
        #expect(evidence.allSatisfy { lines.contains("    " + $0) }, "\(probe.stdout)")
        let plan = try lab.reconcile(["plan", "--probe", "--ca-file", ca, "--format", "json"])
        #expect(plan.status == 2)
        let found = try Self.findings(plan.stdout).filter { $0["slug"] as? String == "families-differ" }
        let json: [String: Any] = [
            "code": "RC019", "slug": "families-differ", "severity": "error", "vhost": "example.social",
            "port": Int(lab.port), "message": message, "evidence": evidence,
        ]
        #expect(try Self.canonical(found) == Self.canonical([json]), "\(plan.stdout)")
    }

    @Test func ipv6ReachingAStaleBlockWithTheSameCertificateIsFound() throws {
        let lab = try Self.familiesLab(ipv6Block: "return 200 \"stale copy\\n\";")
        defer { lab.stop() }
        #expect(try lab.https("example.social", via: "127.0.0.1") == "example\n")
        #expect(try lab.https("example.social", via: "::1") == "stale copy\n")
        let certificate = "certificate CN=example.social (issuer CN=example.social)"
        try expectFamiliesDiffer(
            lab,
            message:
                "ipv4 and ipv6 clients get different answers from example.social on port \(lab.port) (body): one family reaches another block or backend",
            evidence: [
                "ipv4 127.0.0.1: HTTP 200, \(certificate), body sha256 \(try Self.digest("example\n")) (8 bytes)",
                "ipv6 [::1]: HTTP 200, \(certificate), body sha256 \(try Self.digest("stale copy\n")) (11 bytes)",
            ])
    }

    @Test func aRedirectOnlyIPv6ClientsGetIsFound() throws {
        let lab = try Self.familiesLab(ipv6Block: "return 301 https://example.social/moved;")
        defer { lab.stop() }
        let v6Body = try ChildProcess.run([
            try ServerBinary.require("curl"), "--silent", "--cacert", lab.dir.path + "/certs/example.social.crt",
            "--resolve", "example.social:\(lab.port):[::1]", "https://example.social:\(lab.port)/",
        ]).stdout
        let certificate = "certificate CN=example.social (issuer CN=example.social)"
        try expectFamiliesDiffer(
            lab,
            message:
                "ipv4 and ipv6 clients get different answers from example.social on port \(lab.port) (status, redirect target, body): one family reaches another block or backend",
            evidence: [
                "ipv4 127.0.0.1: HTTP 200, \(certificate), body sha256 \(try Self.digest("example\n")) (8 bytes)",
                "ipv6 [::1]: HTTP 301 to https://example.social/moved, \(certificate), body sha256 \(try Self.digest(v6Body)) (\(v6Body.utf8.count) bytes)",
            ])
    }

    @Test func identicalDualStackVhostsDoNotDiffer() throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example], records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\n",
            vhosts: "  example.social: {families: [ipv4, ipv6], ports: [PORT]}\n")
        defer { lab.stop() }
        let ca = try lab.certificateBundle()
        let probe = try lab.reconcile(["probe", "--ca-file", ca])
        #expect(probe.status == 0, "\(probe.stdout)\(probe.stderr)")
        #expect(!probe.stdout.contains("families-differ"))
        let plan = try lab.reconcile(["plan", "--probe", "--ca-file", ca, "--format", "json"])
        #expect(plan.status == 0, "\(plan.stdout)")
        #expect(try Self.findings(plan.stdout).isEmpty)
    }
}
