import Testing

@testable import Nginx

/// `listen` and `server_name` as nginx documents them (ngx_http_core_module "listen",
/// "server_name"; "Server names"; "How nginx processes a request").
@Suite struct ListenModelTests {
    struct ListenCase: Sendable, CustomStringConvertible {
        let text: String
        let address: NginxListenAddress
        let port: Int?
        let family: AddressFamily?
        var ipv6only = false
        var defaultServer = false
        var ssl = false
        var socketParameters: [String] = []
        var description: String { text }
    }

    static let listenCases: [ListenCase] = [
        // A port alone is every IPv4 address; nginx does not open IPv6 for it.
        ListenCase(text: "listen 443;", address: .wildcardIPv4, port: 443, family: .ipv4),
        ListenCase(text: "listen *:443;", address: .wildcardIPv4, port: 443, family: .ipv4),
        ListenCase(text: "listen 0.0.0.0:8080;", address: .wildcardIPv4, port: 8080, family: .ipv4),
        // An address without a port means port 80.
        ListenCase(text: "listen 127.0.0.1;", address: .ipv4("127.0.0.1"), port: 80, family: .ipv4),
        ListenCase(text: "listen *;", address: .wildcardIPv4, port: 80, family: .ipv4),
        ListenCase(
            text: "listen 192.0.2.7:8000 default_server;", address: .ipv4("192.0.2.7"), port: 8000, family: .ipv4,
            defaultServer: true),
        // `[::]` is IPv6 only: ipv6only=on is the default since 1.3.4.
        ListenCase(
            text: "listen [::]:443 ssl;", address: .wildcardIPv6, port: 443, family: .ipv6, ipv6only: true, ssl: true),
        ListenCase(
            text: "listen [::]:80 ipv6only=off;", address: .wildcardIPv6, port: 80, family: .ipv6,
            socketParameters: ["ipv6only=off"]),
        ListenCase(
            text: "listen [::]:80 ipv6only=on;", address: .wildcardIPv6, port: 80, family: .ipv6, ipv6only: true,
            socketParameters: ["ipv6only=on"]),
        ListenCase(text: "listen [::1];", address: .ipv6("::1"), port: 80, family: .ipv6, ipv6only: true),
        ListenCase(
            text: "listen [2001:DB8:0::10]:8443 ssl http2;", address: .ipv6("2001:db8::10"), port: 8443, family: .ipv6,
            ipv6only: true, ssl: true),
        ListenCase(text: "listen [::0]:8080;", address: .wildcardIPv6, port: 8080, family: .ipv6, ipv6only: true),
        ListenCase(
            text: "listen unix:/var/run/nginx.sock;", address: .unix("/var/run/nginx.sock"), port: nil, family: nil),
        // Host names are resolved at start; which addresses they bind is not in the file.
        ListenCase(text: "listen localhost:8000;", address: .hostname("localhost"), port: 8000, family: nil),
        ListenCase(
            text: "listen myhost default_server;", address: .hostname("myhost"), port: 80, family: nil,
            defaultServer: true),
        ListenCase(
            text: "listen 443 default ssl;", address: .wildcardIPv4, port: 443, family: .ipv4, defaultServer: true,
            ssl: true),
        ListenCase(
            text: "listen 443 ssl reuseport backlog=511 deferred so_keepalive=on;", address: .wildcardIPv4, port: 443,
            family: .ipv4,
            ssl: true, socketParameters: ["reuseport", "backlog=511", "deferred", "so_keepalive=on"]),
        ListenCase(
            text: "listen 80 bind;", address: .wildcardIPv4, port: 80, family: .ipv4, socketParameters: ["bind"]),
    ]

    @Test(arguments: listenCases)
    func listenFollowsNginx(_ expected: ListenCase) throws {
        let tree = try load("server { \(expected.text) }")
        let listen = try #require(tree.serverBlocks.first?.listens.first)
        #expect(listen.address == expected.address)
        #expect(listen.port == expected.port)
        #expect(listen.family == expected.family)
        #expect(listen.ipv6only == expected.ipv6only)
        #expect(listen.defaultServer == expected.defaultServer)
        #expect(listen.ssl == expected.ssl)
        #expect(listen.socketParameters == expected.socketParameters)
        #expect(listen.source?.text == expected.text)
        #expect(listen.source?.location == NginxSourceLocation(file: "/n/nginx.conf", line: 1, column: 17))
    }

    @Test(arguments: [
        ("listen 65536;", "invalid port \"65536\" (expected 1-65535)"),
        ("listen 127.0.0.1:;", "invalid port \"\" (expected 1-65535)"),
        ("listen [::1:80;", "unterminated IPv6 address"),
        ("listen [::1]80;", "unexpected text after \"]\""),
        ("listen 80 ssl spdy2;", "unknown parameter \"spdy2\" (a missing \";\" before it?)"),
        ("listen [::]:80 ipv6only=maybe;", "ipv6only must be \"on\" or \"off\""),
    ])
    func invalidListensAreRejected(_ text: String, _ reason: String) {
        #expect(
            throws: NginxError.invalidListen(
                text: text, reason: reason, at: NginxSourceLocation(file: "/n/nginx.conf", line: 1, column: 17))
        ) {
            try load("server { \(text) }")
        }
    }

    @Test func noListenMeansStarPort80IPv4Only() throws {
        let block = try #require(try load("server { server_name a; }").serverBlocks.first)
        #expect(block.listens.isEmpty)
        #expect(block.effectiveListens.map(\.socketDescription) == ["*:80"])
        #expect(block.effectiveListens[0].isImplicit)
        #expect(block.effectiveListens[0].family == .ipv4)
    }

    @Test(arguments: [
        ("example.com", NginxServerName.Kind.exact, "example.com"),
        ("Example.COM", .exact, "example.com"),
        ("\"\"", .exact, ""),
        ("*.example.com", .leadingWildcard, "*.example.com"),
        (".example.com", .leadingWildcard, ".example.com"),
        ("www.example.*", .trailingWildcard, "www.example.*"),
        ("~^www\\d+\\.example\\.net$", .regex, "^www\\d+\\.example\\.net$"),
        ("\"~^(?<user>.+)\\.example\\.net$\"", .regex, "^(?<user>.+)\\.example\\.net$"),
        ("$hostname", .hostnameVariable, "$hostname"),
        ("_", .exact, "_"),
    ])
    func serverNamesAreClassified(_ written: String, _ kind: NginxServerName.Kind, _ name: String) throws {
        let block = try #require(try load("server { server_name \(written); }").serverBlocks.first)
        #expect(block.serverNames.map(\.kind) == [kind])
        #expect(block.serverNames.map(\.name) == [name])
    }

    @Test func wildcardInTheMiddleIsRejected() {
        #expect(
            throws: NginxError.invalidServerName(
                name: "www.*.example.com",
                reason: "a wildcard is allowed only as \"*.name\", \".name\" or \"name.*\"",
                at: NginxSourceLocation(file: "/n/nginx.conf", line: 1, column: 29))
        ) {
            try load("server { server_name www.*.example.com; }")
        }
    }

    @Test func onlyHTTPServerBlocksAreModelled() throws {
        let tree = try load(
            "server { listen 81; }\n}\nstream { server { listen 12345; } }\nhttp { upstream u { server 127.0.0.1:1; } server { listen 82; }",
            wrapInHTTP: true)
        #expect(tree.serverBlocks.map { $0.listens.map(\.port) } == [[81], [82]])
    }

    func load(_ http: String, wrapInHTTP: Bool = true) throws -> NginxConfigTree {
        let text = wrapInHTTP ? "http { \(http) }" : http
        return try NginxConfigTree.load(
            mainConfig: "/n/nginx.conf", reader: InMemoryNginxFileReader(textFiles: ["/n/nginx.conf": text]))
    }
}
