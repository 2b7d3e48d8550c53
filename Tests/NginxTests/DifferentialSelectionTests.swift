import Foundation
import Testing

@testable import Nginx
import TestSupport

/// The selection model against real nginx: random server blocks on loopback high ports,
/// each answering `return 200 "b<index>"`; for every (family, port, Host) the block the
/// model names must be the one nginx answers with, and "nothing listens" must be a refused
/// connection. Seeded, so a failure replays.
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

    struct Site {
        var listens: [(family: NginxAddressFamily, port: Int, defaultServer: Bool)] = []
        var names: [String] = []
    }

    static func generate(seed: UInt64, ports: [Int]) -> [Site] {
        var random = SeededGenerator(seed: seed)
        var defaults = Set<String>()
        var sites: [Site] = []
        for _ in 0..<Int.random(in: 3...8, using: &random) {
            var site = Site()
            var sockets = Set<String>()
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let family: NginxAddressFamily = Bool.random(using: &random) ? .ipv4 : .ipv6
                let port = ports.randomElement(using: &random) ?? ports[0]
                let key = "\(family)-\(port)"
                guard sockets.insert(key).inserted else { continue }
                let wantsDefault = Int.random(in: 0..<5, using: &random) == 0 && !defaults.contains(key)
                if wantsDefault { defaults.insert(key) }
                site.listens.append((family, port, wantsDefault))
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
            for listen in site.listens {
                let address = listen.family == .ipv4 ? "127.0.0.1" : "[::1]"
                lines.append("    listen \(address):\(listen.port)\(listen.defaultServer ? " default_server" : "");")
            }
            if !site.names.isEmpty {
                lines.append("    server_name \(site.names.map { $0.hasPrefix("~") ? "\"\($0)\"" : $0 }.joined(separator: " "));")
            }
            lines.append("    return 200 \"b\(index)\";")
            lines.append("}")
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    @Test(.enabled(if: ServerBinary.testsEnabled("nginx")), arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    func modelAgreesWithNginx(seed: UInt64) throws {
        _ = try ServerBinary.require("nginx")
        let ports = (0..<3).map { _ in Int(LoopbackPort.free()) }
        let sites = Self.generate(seed: seed, ports: ports)
        let directory = try TemporaryDirectory(prefix: "nginx-diff")
        let http = Self.http(sites)
        let config = try directory.write("nginx.conf", NginxServer.mainConfig(http: http, directory: directory.path))
        let tree = try NginxConfigTree.load(mainConfig: config.path, reader: DiskNginxFileReader())
        #expect(tree.serverBlocks.count == sites.count)
        let selector = NginxServerSelector(tree: tree)
        let server = try NginxServer(directory: directory.path, configPath: config.path)
        defer { server.stop() }

        var checked = 0
        for family in NginxAddressFamily.allCases {
            let address = family == .ipv4 ? "127.0.0.1" : "::1"
            for port in ports {
                for host in Self.hosts {
                    let expected = selector.select(family: family, address: address, port: port, host: host)
                    let context = "seed \(seed), \(family) port \(port), Host \(host), config:\n\(http)"
                    switch expected {
                    case .answered(let block, _):
                        let response = try HTTPProbe.get(address: address, port: UInt16(port), host: host)
                        #expect(response.status == 200, "\(context)")
                        #expect(response.body == "b\(block)", "model says b\(block) (\(expected)); \(context)")
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
                    checked += 1
                }
            }
        }
        #expect(checked == 2 * ports.count * Self.hosts.count)
    }
}
