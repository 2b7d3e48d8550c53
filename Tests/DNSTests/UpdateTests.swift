import Foundation
import TestSupport
import Testing

@testable import DNS

extension SerializedDNSTests {
    @Suite
    struct UpdateTests {
        static let www = WireSample.name("www.example.test.")
        static let fresh = WireSample.name("new.example.test.")

        static func addresses(_ client: DNSClient, _ name: DNSName, _ type: RecordType) async throws -> Set<RData> {
            Set(try await client.query(name, type).records(type, of: name).map(\.data))
        }

        @Test(arguments: TSIGAlgorithm.allCases)
        func addDeleteAndReplaceAreVisibleToFreshQueries(algorithm: TSIGAlgorithm) async throws {
            let named = try NamedFixture.start()
            defer { named.stop() }
            let client = try NamedFixture.client(named)
            let key = try NamedFixture.key(named, algorithm)
            let v6 = RData.aaaa(WireSample.v6("2001:db8::99"))

            // Add a record set that must not exist yet.
            try await client.update(
                zone: NamedFixture.zone,
                changes: [.replace(name: Self.fresh, type: .aaaa, old: [], new: [v6], ttl: 120)], key: key)
            let added = try await client.query(Self.fresh, .aaaa)
            #expect(added.answers.map(\.data) == [v6] && added.answers.first?.ttl == 120)

            // Replace www's A set, stating the values it holds now.
            let old: [RData] = [.a(WireSample.v4("192.0.2.10")), .a(WireSample.v4("192.0.2.11"))]
            let new: [RData] = [.a(WireSample.v4("198.51.100.7"))]
            try await client.update(
                zone: NamedFixture.zone, changes: [.replace(name: Self.www, type: .a, old: old, new: new, ttl: 300)],
                key: key)
            #expect(try await Self.addresses(client, Self.www, .a) == Set(new))

            // Delete one record, then the rest of a set.
            try await client.update(
                zone: NamedFixture.zone,
                changes: [
                    UpdateChange(
                        prerequisites: [.rrsetEquals(name: Self.fresh, type: .aaaa, values: [v6])],
                        operations: [.deleteRecord(name: Self.fresh, type: .aaaa, data: v6)])
                ], key: key)
            #expect(try await client.query(Self.fresh, .aaaa).answers.isEmpty)
            try await client.update(
                zone: NamedFixture.zone,
                changes: [UpdateChange(operations: [.deleteRRset(name: Self.www, type: .aaaa)])], key: key)
            #expect(try await Self.addresses(client, Self.www, .aaaa).isEmpty)
            #expect(try await Self.addresses(client, Self.www, .a) == Set(new))

            // The serial moved: named bumps it on every update.
            let transfer = try await client.transferZone(NamedFixture.zone, key: key)
            #expect(transfer.serial > 2_024_010_101)
        }

        @Test func updatesAndTransfersOverIPv6() async throws {
            let named = try NamedFixture.start()
            defer { named.stop() }
            let client = try NamedFixture.client(named, ipv6: true)
            #expect(client.server.isIPv6)
            let key = try NamedFixture.key(named, .hmacSHA512)
            let v6 = RData.aaaa(WireSample.v6("2001:db8::6"))
            try await client.update(
                zone: NamedFixture.zone,
                changes: [.replace(name: Self.fresh, type: .aaaa, old: [], new: [v6], ttl: 60)],
                key: key)
            let transfer = try await client.transferZone(NamedFixture.zone, key: key)
            #expect(transfer.records.contains(ResourceRecord(name: Self.fresh, type: .aaaa, ttl: 60, data: v6)))
        }

        @Test func wrongSecretIsAClearErrorAndChangesNothing() async throws {
            let named = try NamedFixture.start()
            defer { named.stop() }
            let client = try NamedFixture.client(named)
            let real = try NamedFixture.key(named, .hmacSHA256)
            let wrong = TSIGKey(name: real.name, algorithm: .hmacSHA256, secret: Array(repeating: 7, count: 32))
            let v4 = RData.a(WireSample.v4("203.0.113.5"))
            await #expect {
                try await client.update(
                    zone: NamedFixture.zone,
                    changes: [.replace(name: Self.fresh, type: .a, old: [], new: [v4], ttl: 60)], key: wrong)
            } throws: { error in
                guard case DNSError.badSignature(let server, let key) = error else { return false }
                return server == client.server && key == real.name && "\(error)".contains("BADSIG")
            }
            let unknown = TSIGKey(name: WireSample.name("nobody."), algorithm: .hmacSHA256, secret: real.secret)
            await #expect {
                try await client.update(
                    zone: NamedFixture.zone,
                    changes: [.replace(name: Self.fresh, type: .a, old: [], new: [v4], ttl: 60)], key: unknown)
            } throws: { error in
                guard case DNSError.badKey = error else { return false }
                return true
            }
            #expect(try await client.query(Self.fresh, .a).isNXDomain)
        }

        @Test func stalePrerequisiteFailsAndChangesNothing() async throws {
            let named = try NamedFixture.start()
            defer { named.stop() }
            let client = try NamedFixture.client(named)
            let key = try NamedFixture.key(named, .hmacSHA512)
            // The plan was made when www had these two addresses...
            let planned: [RData] = [.a(WireSample.v4("192.0.2.10")), .a(WireSample.v4("192.0.2.11"))]
            // ...then someone else changed the set.
            let other = RData.a(WireSample.v4("192.0.2.77"))
            try await client.update(
                zone: NamedFixture.zone,
                changes: [
                    UpdateChange(operations: [.add(ResourceRecord(name: Self.www, type: .a, ttl: 300, data: other))])
                ],
                key: key)
            let before = try await Self.addresses(client, Self.www, .a)

            await #expect {
                try await client.update(
                    zone: NamedFixture.zone,
                    changes: [
                        .replace(
                            name: Self.www, type: .a, old: planned, new: [.a(WireSample.v4("198.51.100.1"))], ttl: 300)
                    ], key: key)
            } throws: { error in
                guard case DNSError.prerequisiteFailed(_, let zone, let rcode, let applied, let total) = error else {
                    return false
                }
                return zone == NamedFixture.zone && rcode == .nxRRset && applied == 0 && total == 1
                    && "\(error)".contains("someone changed the record set")
            }
            #expect(try await Self.addresses(client, Self.www, .a) == before)

            // "Must not exist" also fails once someone created the set.
            await #expect {
                try await client.update(
                    zone: NamedFixture.zone,
                    changes: [.replace(name: Self.www, type: .a, old: [], new: [other], ttl: 300)], key: key)
            } throws: { error in
                guard case DNSError.prerequisiteFailed(_, _, let rcode, _, _) = error else { return false }
                return rcode == .yxRRset
            }
        }

        @Test func largeBatchGoesOverTCPInFewMessages() async throws {
            let named = try NamedFixture.start()
            defer { named.stop() }
            let client = try NamedFixture.client(named, timeout: .seconds(10))
            let key = try NamedFixture.key(named, .hmacSHA256)
            let changes = (0..<3000).map { i in
                UpdateChange.replace(
                    name: WireSample.name("host\(i).example.test."), type: .a, old: [],
                    new: [.a(WireSample.v4("10.1.\(i / 256).\(i % 256)"))], ttl: 300)
            }
            let messages = try await client.update(zone: NamedFixture.zone, changes: changes, key: key)
            #expect(messages >= 2 && messages <= 6)
            let transfer = try await client.transferZone(NamedFixture.zone, key: key)
            let hosts = transfer.records.filter {
                $0.type == .a && $0.name.labels.first.map { $0.starts(with: Array("host".utf8)) } == true
            }
            #expect(hosts.count == 3000)
        }

        @Test func updateOfZoneNotServedIsRefusedOrNotAuth() async throws {
            let named = try NamedFixture.start()
            defer { named.stop() }
            let client = try NamedFixture.client(named)
            let key = try NamedFixture.key(named, .hmacSHA256)
            await #expect {
                try await client.update(
                    zone: WireSample.name("elsewhere.test."),
                    changes: [
                        UpdateChange(operations: [.deleteRRset(name: WireSample.name("a.elsewhere.test."), type: .a)])
                    ],
                    key: key)
            } throws: { error in
                guard case DNSError.notAuth(_, let zone) = error else { return false }
                return zone == WireSample.name("elsewhere.test.")
            }
        }

        @Test func batchesKeepEachChangeWhole() throws {
            let changes = (0..<500).map { i in
                UpdateChange.replace(
                    name: WireSample.name("h\(i).example.test."), type: .aaaa,
                    old: [.aaaa(WireSample.v6("2001:db8::\(i)"))], new: [.aaaa(WireSample.v6("2001:db8::1:\(i)"))],
                    ttl: 300)
            }
            let messages = try UpdateBatch.messages(zone: NamedFixture.zone, changes: changes, budget: 4000)
            #expect(messages.count > 1)
            #expect(messages.allSatisfy { $0.encode().count <= 4000 })
            // Every message has one prerequisite per change and that change's two updates.
            #expect(messages.allSatisfy { $0.authority.count == 2 * $0.answers.count })
            #expect(messages.reduce(0) { $0 + $1.answers.count } == 500)
            #expect(
                messages.allSatisfy {
                    $0.header.opcode == .update && $0.questions == [DNSQuestion(name: NamedFixture.zone, type: .soa)]
                })
        }
    }
}
