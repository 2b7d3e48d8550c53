import DNS
import DesiredState
import TestSupport
import Testing

@Suite struct LoaderTests {
    @Test func appliesDefaultsAndResolvesPathsAgainstTheNamingFile() throws {
        let fs = InMemoryFileSystem(
            files: [
                "site/desired/core/base.yaml": """
                host: {ipv4: [203.0.113.10], ipv6: ["2001:DB8:0:0::10"]}
                nginx: {config: ../../nginx/nginx.conf}
                dns:
                  provider: rfc2136
                  server: 192.0.2.53
                  zones: [example.social, Sub.Example.Social.]
                  tsig: {name: reconcile, secret-file: keys/tsig.key}
                """,
                "site/desired/vhosts.yml":
                    "vhosts:\n  media.sub.example.social: {families: [ipv6]}\n  example.social: {}\n",
            ], currentDirectory: "/srv")
        let state = try DesiredStateLoader(fileSystem: fs).load(directory: "site/desired")
        #expect(state.files == ["site/desired/core/base.yaml", "site/desired/vhosts.yml"])
        #expect(state.host.addresses(.ipv6) == ["2001:db8::10"])
        #expect(state.nginx.config == "/srv/site/nginx/nginx.conf")
        // The program is resolved at load time on the fixed PATH (what `plan -v` shows).
        _ = try ServerBinary.require("nginx")
        let nginx = try #require(state.nginx.test.first)
        #expect(Self.isOnTheFixedPath(nginx, "nginx"))
        #expect(state.nginx.test == [nginx, "-t", "-q", "-c", "/srv/site/nginx/nginx.conf"])
        #expect(state.nginx.reload == [nginx, "-s", "reload", "-c", "/srv/site/nginx/nginx.conf"])
        #expect(state.dns.ttl == 300)
        let tsig = TSIGSettings(
            name: try DNSName("reconcile."), algorithm: .hmacSHA256, secretFile: "/srv/site/desired/core/keys/tsig.key")
        #expect(
            state.dns.provider
                == .rfc2136(server: try DNSServerAddress(host: "192.0.2.53", port: 53), tsig: tsig))
        #expect(state.vhosts.map(\.name) == ["example.social", "media.sub.example.social"])
        #expect(state.vhosts[0].families == [.ipv4, .ipv6])
        #expect(state.vhosts[0].ports == [80, 443])
        #expect(state.vhosts[1].families == [.ipv6])
        // The most specific managed zone wins.
        #expect(state.vhosts[1].zone == (try DNSName("sub.example.social.")))
    }

    @Test func limitsAreReadAndCheckedForRange() throws {
        let fs = InMemoryFileSystem(
            files: [
                "d/base.yaml": baseYAML.replacingOccurrences(
                    of: "config: /etc/nginx/nginx.conf\n",
                    with: "config: /etc/nginx/nginx.conf\n  limits: {depth: 2000, tree-bytes: 1073741824}\n")
                    + "  limits: {transfer-records: 10000000, transfer-seconds: 600}\n",
                "d/v.yaml": "vhosts: {}\n",
            ], currentDirectory: "/")
        let state = try DesiredStateLoader(fileSystem: fs).load(directory: "d")
        #expect(state.nginx.limits == NginxReadLimits(depth: 2000, fileBytes: nil, treeBytes: 1 << 30))
        #expect(
            state.dns.transferLimits
                == ZoneTransferLimits(maxRecords: 10_000_000, maxBytes: 1 << 30, deadline: .seconds(600)))
        let base = baseYAML + "  limits: {transfer-bytes: 0, transfer-record: 5}\n"
        #expect(
            problems("vhosts: {}\n", base: base) == [
                "d/base.yaml:10:31: unknown key \"transfer-record\" in dns.limits; did you mean \"transfer-records\"?",
                "d/base.yaml:10:28: dns.limits.transfer-bytes 0 is out of range (1-8589934592)",
            ])
    }

    @Test func tsigSecretInTheYAMLIsRefusedAndNeverEchoed() throws {
        let base = baseYAML.replacingOccurrences(
            of: "zones: [example.social]\n",
            with: "zones: [example.social]\n  tsig: {name: k, secret: \"c2VjcmV0LXZhbHVl\"}\n")
        let found = problems("vhosts: {}\n", base: base)
        #expect(
            found == [
                "d/base.yaml:10:19: dns.tsig.secret is not allowed: keep the secret out of the repository and name a file with secret-file"
            ])
        #expect(!found.joined().contains("c2VjcmV0LXZhbHVl"))
    }

    @Test(arguments: [
        ("\"[::1]:5353\"", "[::1]:5353"), ("\"::1\"", "[::1]:53"), ("127.0.0.1:53", "127.0.0.1:53"),
        ("\"[2001:db8::53]\"", "[2001:db8::53]:53"),
    ])
    func parsesServerAddresses(_ written: String, _ expected: String) throws {
        let base = baseYAML.replacingOccurrences(of: "\"[::1]:53\"", with: written)
        let fs = InMemoryFileSystem(files: ["d/base.yaml": base])
        let state = try DesiredStateLoader(fileSystem: fs).load(directory: "d")
        guard case .rfc2136(let server, _) = state.dns.provider else {
            Issue.record("expected rfc2136")
            return
        }
        #expect(server.description == expected)
    }

    @Test(arguments: ["ns1.example.net", "[::1]:0", "127.0.0.1:99999", "[::1", "1.2.3.4:"])
    func refusesBadServerAddresses(_ written: String) {
        let base = baseYAML.replacingOccurrences(of: "\"[::1]:53\"", with: "\"\(written)\"")
        #expect(
            problems("vhosts: {}\n", base: base) == [
                "d/base.yaml:8:11: dns.server \"\(written)\" is not an IP address with optional port (expected 192.0.2.53, 192.0.2.53:5353 or \"[2001:db8::53]:53\")"
            ])
    }

    @Test func vhostWantingAFamilyTheHostLacks() {
        let base = baseYAML.replacingOccurrences(of: "  ipv6: [2001:db8::10]\n", with: "")
        #expect(
            problems("vhosts:\n  a.example.social: {families: [ipv4, ipv6]}\n", base: base) == [
                "d/v.yaml:2:32: vhost \"a.example.social\" wants ipv6 but host.ipv6 lists no address"
            ])
    }

    @Test func zonefileProviderNeedsOneZoneAndAPath() {
        let base = baseYAML.replacingOccurrences(
            of: "  provider: rfc2136\n  server: \"[::1]:53\"\n  zones: [example.social]\n",
            with: "  provider: zonefile\n  zones: [example.social, example.org]\n  zonefile: {path: z.zone}\n")
        #expect(
            problems("vhosts: {}\n", base: base) == [
                "d/base.yaml:9:3: provider zonefile manages one zone; dns.zones lists 2"
            ])
    }

    @Test func commandsMustBeArgvLists() {
        let base = baseYAML.replacingOccurrences(
            of: "  config: /etc/nginx/nginx.conf\n",
            with: "  config: /etc/nginx/nginx.conf\n  reload: \"systemctl reload nginx\"\n  test: []\n")
        #expect(
            problems("vhosts: {}\n", base: base) == [
                "d/base.yaml:7:9: nginx.test must name a program to run, found an empty list",
                "d/base.yaml:6:11: nginx.reload must be a list like [systemctl, reload, nginx], found the string \"systemctl reload nginx\"",
            ])
    }

    /// Commands name their program first, resolved at load: `/usr/bin/env` never sees the
    /// words (an option first would have been taken by env itself, `-S` splitting a shell line),
    /// a relative program is the YAML file's neighbour, not the current directory's.
    @Test func commandsNameAProgramFirstAndAreResolvedAtLoadTime() throws {
        func load(_ nginx: String) throws -> DesiredState {
            let fs = InMemoryFileSystem(
                files: [
                    "d/base.yaml": baseYAML.replacingOccurrences(of: "  config: /etc/nginx/nginx.conf\n", with: nginx)
                ], currentDirectory: "/srv")
            return try DesiredStateLoader(fileSystem: fs).load(directory: "d")
        }
        let error = try #require(throws: DesiredStateError.self) {
            try load("  config: /etc/nginx/nginx.conf\n  reload: [-S, \"sh -c 'id'\"]\n")
        }
        #expect(
            error.problems.map(\.description) == [
                "d/base.yaml:6:12: nginx.reload starts with \"-S\", an option, not a program: name the program first (e.g. [nginx, -t])"
            ])
        let state = try load(
            "  config: /etc/nginx/nginx.conf\n  test: [bin/check, -q]\n  reload: [systemctl, reload, nginx]\n")
        #expect(state.nginx.test == ["/srv/d/bin/check", "-q"])
        _ = try ServerBinary.require("systemctl")
        #expect(Self.isOnTheFixedPath(state.nginx.reload[0], "systemctl"))
        #expect(state.nginx.reload.dropFirst() == ["reload", "nginx"])
    }

    /// `path` is `name` in one of the fixed PATH's directories.
    static func isOnTheFixedPath(_ path: String, _ name: String) -> Bool {
        ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].contains {
            path == "\($0)/\(name)"
        }
    }
}
