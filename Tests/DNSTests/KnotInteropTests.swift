import Foundation
import TestSupport
import Testing

@testable import DNS

extension SerializedDNSTests {
    /// The DNS engine against real Knot DNS as well as BIND: a signed AXFR, RFC 2136 UPDATE
    /// with prerequisites signed with TSIG, authoritative queries; an unsigned transfer and a
    /// wrong key are refused.
    @Suite struct KnotInteropTests {
        static let zoneText = """
            $ORIGIN example.test.
            $TTL 300
            @       IN SOA ns1.example.test. hostmaster.example.test. 2024010101 3600 600 86400 300
            @       IN NS ns1
            ns1     IN A 127.0.0.1
            www     IN A 192.0.2.10
            www     IN AAAA 2001:db8::10

            """

        @Test func transferUpdateAndQueryInteroperate() async throws {
            let knot = try KnotServer(zone: ("example.test", Self.zoneText))
            defer { knot.stop() }
            let key = try TSIGKey.parse(knot.keyFile, source: "tsig-keygen output")
            let zone = WireSample.zone
            let www = WireSample.name("www.example.test.")
            for host in ["127.0.0.1", "::1"] {
                let client = DNSClient(server: try DNSServerAddress(host: host, port: knot.port), timeout: .seconds(3))
                let transfer = try await client.transferZone(zone, key: key)
                #expect(transfer.serial >= 2_024_010_101)
                #expect(transfer.records.contains { $0.name == www && $0.type == .aaaa })
                let answer = try await client.query(www, .a, key: key)
                #expect(answer.authoritative)
                #expect(answer.records(.a, of: www).map(\.data) == [.a(WireSample.v4("192.0.2.10"))])
            }
            let client = DNSClient(
                server: try DNSServerAddress(host: "127.0.0.1", port: knot.port), timeout: .seconds(3))

            // An UPDATE whose prerequisite holds, then one whose prerequisite no longer does.
            let old: [RData] = [.a(WireSample.v4("192.0.2.10"))]
            let new: [RData] = [.a(WireSample.v4("198.51.100.7"))]
            try await client.update(
                zone: zone, changes: [.replace(name: www, type: .a, old: old, new: new, ttl: 300)], key: key)
            #expect(try await client.query(www, .a).records(.a, of: www).map(\.data) == new)
            await #expect {
                try await client.update(
                    zone: zone, changes: [.replace(name: www, type: .a, old: old, new: old, ttl: 300)], key: key)
            } throws: { error in
                guard case .prerequisiteFailed = error as? DNSError else { return false }
                return true
            }
            #expect(try await client.query(www, .a).records(.a, of: www).map(\.data) == new)

            // No key, or a wrong one: no transfer.
            await #expect(throws: DNSError.self) { try await client.transferZone(zone, key: nil) }
            let wrong = TSIGKey(name: key.name, algorithm: key.algorithm, secret: Array(repeating: 7, count: 32))
            await #expect(throws: DNSError.self) { try await client.transferZone(zone, key: wrong) }
        }
    }
}
