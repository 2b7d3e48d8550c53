import Foundation
import TestSupport
import Testing

@testable import Nginx

/// The selection model against real nginx: random server blocks, each answering
/// `return 200 "b<index>"`; for every (family, address, port, Host) the block the model
/// names must be the one nginx answers with, "nothing listens" must be a refused
/// connection and "bad request" a 400. Seeded, so a failure replays. Each answer also checks
/// ownership as the planner judges it: the block nginx answered with is among the blocks whose
/// `server_name` matches the Host (``NginxNameClaims``) whenever nginx chose it by name, and is
/// not when nginx fell back to the default (but for a `.name` nginx dropped as conflicting), so
/// a vhost served by a wildcard or regex block counts as served by its own block.
@Suite(.serialized) struct DifferentialSelectionTests {
    static let names = [
        "a.test", "www.a.test", "x.y.a.test", "b.test", "www.b.test", "www.a.example", "a.example",
        "*.a.test", "*.y.a.test", ".b.test", "www.*", "www.a.*", "a.*",
        "~^www\\d*\\.a\\.", "~b\\.test$", "~^(?<sub>[a-z]+)\\.y\\.a\\.test$", "~^WWW\\.", "~^[^.]+\\.example$",
    ]
    static let hosts = [
        "a.test", "www.a.test", "x.y.a.test", "q.y.a.test", "deep.q.y.a.test", "b.test", "www.b.test", "c.b.test",
        "www.a.example", "www9.a.example", "a.example", "www.other", "zzz.unknown", "A.TEST", "a.test.",
        "www.a.test:8080", "y.a.test", "www", "a..test", "", ".", ".b.test",
    ]

    /// A server block: its listen arguments (`127.0.0.1:8080 default_server`) and names.
    struct Site {
        var listens: [String] = []
        var names: [String] = []
    }

    /// One way of writing a socket in a listen, and which socket it is.
    struct SocketForm {
        let text: (Int) -> String
        let socket: String
        let family: AddressFamily
        let isWildcard: Bool
    }

    static func generate(seed: UInt64, ports: [Int], forms: [SocketForm]) -> [Site] {
        var random = SeededGenerator(seed: seed)
        var defaults = Set<String>()
        var sites: [Site] = []
        let dualStack = "[::]dual"
        var used: [(socket: String, port: Int)] = []
        for _ in 0..<Int.random(in: 3...8, using: &random) {
            var site = Site()
            var sockets = Set<String>()
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let form = forms.randomElement(using: &random) ?? forms[0]
                let port = ports.randomElement(using: &random) ?? ports[0]
                // A dual-stack [::]:P takes the IPv4 port too: no IPv4 socket may share it...
                // ...and carries ipv6only=, a socket option, so it may appear once per port.
                if form.socket == dualStack && used.contains(where: { $0.port == port && $0.socket == dualStack }) {
                    continue
                }
                if form.socket == dualStack
                    && used.contains(where: { $0.port == port && $0.socket != dualStack && !$0.socket.hasPrefix("[") })
                {
                    continue
                }
                if form.family == .ipv4 && used.contains(where: { $0.port == port && $0.socket == dualStack }) {
                    continue
                }
                if form.socket == dualStack && used.contains(where: { $0.port == port && $0.socket == "[::]" }) {
                    continue
                }
                if form.socket == "[::]" && used.contains(where: { $0.port == port && $0.socket == dualStack }) {
                    continue
                }
                let socketKey = "\(form.socket == dualStack ? "[::]" : form.socket):\(port)"
                guard sockets.insert(socketKey).inserted else { continue }
                var text = form.text(port)
                if Int.random(in: 0..<5, using: &random) == 0 && defaults.insert(socketKey).inserted {
                    text += " default_server"
                }
                site.listens.append(text)
                used.append((form.socket, port))
            }
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                site.names.append(names.randomElement(using: &random) ?? "a.test")
            }
            sites.append(site)
        }
        return sites
    }

    static func http(_ sites: [Site]) -> String {
        sites.enumerated().map { index, site in
            var lines = ["server {"]
            for listen in site.listens { lines.append("    listen \(listen);") }
            if !site.names.isEmpty {
                lines.append(
                    "    server_name \(site.names.map { $0.hasPrefix("~") ? "\"\($0)\"" : $0 }.joined(separator: " "));"
                )
            }
            lines.append("    return 200 \"b\(index)\";")
            lines.append("}")
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// How many queries were compared, and how many of them nginx answered from a block that
    /// claims the Host by a wildcard or a regex only (no block names it exactly).
    struct Checked {
        var queries = 0
        var servedByWildcardOrRegex = 0
    }

    /// Starts nginx on `sites` and compares every query with the model.
    static func compare(
        sites: [Site], seed: UInt64, ports: [Int], addresses: [(AddressFamily, String)]
    ) throws -> Checked {
        let directory = try TemporaryDirectory(prefix: "nginx-diff")
        let http = Self.http(sites)
        let config = try directory.write("nginx.conf", NginxServer.mainConfig(http: http, directory: directory.path))
        let tree = try NginxConfigTree.load(mainConfig: config.path, reader: DiskNginxFileReader())
        #expect(tree.serverBlocks.count == sites.count)
        #expect(tree.listenConflicts().isEmpty)
        let selector = NginxServerSelector(tree: tree)
        let claims = NginxNameClaims(tree: tree)
        let server = try NginxServer(directory: directory.path, configPath: config.path)
        defer { server.stop() }
        var checked = Checked()
        for (family, address) in addresses {
            for port in ports {
                for host in Self.hosts {
                    let expected = selector.select(family: family, address: address, port: port, host: host)
                    let context = "seed \(seed), \(address) port \(port), Host \"\(host)\", config:\n\(http)"
                    switch expected {
                    case .answered(let block, let reason):
                        let response = try HTTPProbe.get(address: address, port: UInt16(port), host: host)
                        #expect(response.status == 200, "\(context)")
                        #expect(response.body == "b\(block)", "model says b\(block) (\(expected)); \(context)")
                        // Ownership, judged on the block nginx really answered with.
                        let answered = Int(response.body.dropFirst()) ?? -1
                        let claimants = claims.claimants(of: host)
                        let own =
                            claimants.joined().contains(answered)
                            || (tree.serverBlocks.indices.contains(answered)
                                && tree.serverBlocks[answered].matches(host: host))
                        let byName = reason != .defaultServer && reason != .firstBlockOnSocket
                        // Chosen by name: a claimant. Chosen as the default: not one, unless nginx
                        // dropped its `.name` on this socket as conflicting with an earlier exact name.
                        let droppedDotName =
                            sites.indices.contains(answered) && sites[answered].names.contains { $0.hasPrefix(".") }
                        #expect(
                            byName ? own : (!own || droppedDotName),
                            "b\(answered) claims the Host: \(own), nginx chose it by name: \(byName); \(context)")
                        if own && [.leadingWildcard, .trailingWildcard, .regex].contains(reason) {
                            checked.servedByWildcardOrRegex += 1
                        }
                    case .badRequest:
                        let response = try HTTPProbe.get(address: address, port: UInt16(port), host: host)
                        #expect(response.status == 400, "model says 400 Bad Request; \(context)")
                    case .nothingListens:
                        do {
                            let response = try HTTPProbe.get(address: address, port: UInt16(port), host: host)
                            Issue.record("model says nothing listens, nginx answered \(response.body); \(context)")
                        } catch let failure as HTTPProbe.Failure {
                            #expect(failure.isConnectionRefused, "\(failure); \(context)")
                        }
                    case .undecidable(let why):
                        Issue.record("undecidable: \(why); \(context)")
                    }
                    checked.queries += 1
                }
            }
        }
        return checked
    }

    /// On the machine's loopback: specific addresses only (no wildcard may listen beyond
    /// loopback), 127.0.0.1 and [::1] on free high ports.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    func modelAgreesWithNginxOnLoopback(seed: UInt64) throws {
        _ = try ServerBinary.require("nginx")
        let ports = (0..<3).map { _ in Int(LoopbackPort.free()) }
        let forms = [
            SocketForm(text: { "127.0.0.1:\($0)" }, socket: "127.0.0.1", family: .ipv4, isWildcard: false),
            SocketForm(text: { "[::1]:\($0)" }, socket: "[::1]", family: .ipv6, isWildcard: false),
        ]
        let sites = Self.generate(seed: seed, ports: ports, forms: forms)
        let checked = try Self.compare(
            sites: sites, seed: seed, ports: ports, addresses: [(.ipv4, "127.0.0.1"), (.ipv6, "::1")])
        #expect(checked.queries == 2 * ports.count * Self.hosts.count)
        #expect(checked.servedByWildcardOrRegex > 0, "seed \(seed) has no wildcard- or regex-served query")
    }

    /// In a private network namespace (only loopback exists, so wildcards are safe): every
    /// listen form (`P`, `*:P`, `0.0.0.0:P`, `[::]:P`, `[::]:P ipv6only=off`, specific
    /// addresses) mixed on shared ports, so "address first", the wildcard fallback and
    /// dual-stack sockets are checked against nginx too.
    @Test(
        .enabled(
            if: ServerBinary.isCI || PrivateNetwork.isAvailable, "needs CAP_SYS_ADMIN for a private network namespace"),
        arguments: [UInt64(101), 102, 103, 104, 105, 106, 107, 108, 109, 110])
    func modelAgreesWithNginxWithWildcards(seed: UInt64) throws {
        try #require(PrivateNetwork.isAvailable, "needs CAP_SYS_ADMIN for a private network namespace")
        _ = try ServerBinary.require("nginx")
        let ports = [8080, 8081, 8082]
        let forms = [
            SocketForm(text: { "\($0)" }, socket: "*", family: .ipv4, isWildcard: true),
            SocketForm(text: { "*:\($0)" }, socket: "*", family: .ipv4, isWildcard: true),
            SocketForm(text: { "0.0.0.0:\($0)" }, socket: "*", family: .ipv4, isWildcard: true),
            SocketForm(text: { "127.0.0.1:\($0)" }, socket: "127.0.0.1", family: .ipv4, isWildcard: false),
            SocketForm(text: { "127.0.0.2:\($0)" }, socket: "127.0.0.2", family: .ipv4, isWildcard: false),
            SocketForm(text: { "[::]:\($0)" }, socket: "[::]", family: .ipv6, isWildcard: true),
            SocketForm(text: { "[::]:\($0) ipv6only=off" }, socket: "[::]dual", family: .ipv6, isWildcard: true),
            SocketForm(text: { "[::1]:\($0)" }, socket: "[::1]", family: .ipv6, isWildcard: false),
        ]
        let sites = Self.generate(seed: seed, ports: ports, forms: forms)
        let addresses: [(AddressFamily, String)] = [
            (.ipv4, "127.0.0.1"), (.ipv4, "127.0.0.2"), (.ipv4, "127.0.0.3"), (.ipv6, "::1"),
        ]
        let checked = try PrivateNetwork.run {
            try Self.compare(sites: sites, seed: seed, ports: ports, addresses: addresses)
        }
        #expect(checked.queries == addresses.count * ports.count * Self.hosts.count)
        #expect(checked.servedByWildcardOrRegex > 0, "seed \(seed) has no wildcard- or regex-served query")
    }
}
