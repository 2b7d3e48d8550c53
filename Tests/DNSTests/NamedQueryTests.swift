import Foundation
import TestSupport
import Testing

@testable import DNS

extension SerializedDNSTests {
    @Suite
    struct NamedQueryTests {
        @Test(arguments: [false, true])
        func answersEachQueriedType(ipv6: Bool) async throws {
            let named = try NamedFixture.start()
            defer { named.stop() }
            let client = try NamedFixture.client(named, ipv6: ipv6)
            let www = WireSample.name("www.example.test.")

            let a = try await client.query(www, .a)
            #expect(a.rcode == .noError && a.authoritative)
            #expect(
                Set(a.records(.a, of: www).map(\.data)) == [
                    .a(WireSample.v4("192.0.2.10")), .a(WireSample.v4("192.0.2.11")),
                ])

            let aaaa = try await client.query(www, .aaaa)
            #expect(aaaa.records(.aaaa, of: www).map(\.data) == [.aaaa(WireSample.v6("2001:db8::10"))])

            let cname = try await client.query(WireSample.name("media.example.test."), .cname)
            #expect(cname.answers.map(\.data) == [.cname(www)])

            let soa = try await client.query(NamedFixture.zone, .soa)
            guard case .soa(let value) = try #require(soa.answers.first).data else {
                Issue.record("no SOA in \(soa)")
                return
            }
            #expect(value.serial == 2_024_010_101)
            #expect(value.mname == WireSample.name("ns1.example.test."))
        }

        @Test func decodesCompressedMXAndUnknownTypes() async throws {
            let named = try NamedFixture.start()
            defer { named.stop() }
            let client = try NamedFixture.client(named)
            let mx = try await client.query(WireSample.name("mail.example.test."), .mx)
            // named compresses the exchange name; the decoder stores it expanded.
            var expected: [UInt8] = [0, 10]
            WireWriter.appendUncompressed(WireSample.name("www.example.test."), to: &expected)
            #expect(mx.answers.map(\.data) == [.opaque(expected)])
            let unknown = try await client.query(WireSample.name("unknown.example.test."), RecordType(rawValue: 65280))
            #expect(unknown.answers.map(\.data) == [.opaque([0x0A, 0x0B, 0x0C, 0x0D])])
        }

        @Test func closedUDPPortFailsFast() async throws {
            // Nothing listens there: the ICMP unreachable must end the request, not the timeout
            // (2 x 10 s here; the bound below is far under it, far over a loaded machine's delay).
            let client = DNSClient(
                server: try DNSServerAddress(host: "127.0.0.1", port: LoopbackPort.free()), timeout: .seconds(10),
                retries: 1)
            let clock = ContinuousClock()
            let start = clock.now
            await #expect {
                _ = try await client.query(WireSample.name("www.example.test."), .a)
            } throws: { error in
                guard case .connectionFailed(let server, let reason) = error as? DNSError else { return false }
                return server == client.server && reason.contains("connection refused")
            }
            #expect(clock.now - start < .seconds(5))
        }

        @Test func nxdomainAndNodataAreResults() async throws {
            let named = try NamedFixture.start()
            defer { named.stop() }
            let client = try NamedFixture.client(named)
            let missing = try await client.query(WireSample.name("nope.example.test."), .a)
            #expect(missing.isNXDomain && missing.answers.isEmpty)
            let nodata = try await client.query(WireSample.name("media.example.test."), .txt)
            #expect(nodata.rcode == .noError)
            #expect(nodata.answers.allSatisfy { $0.type == .cname })
            let aaaaOnly = try await client.query(WireSample.name("txt.example.test."), .aaaa)
            #expect(aaaaOnly.isNoData && !aaaaOnly.isNXDomain)
            #expect(!missing.isNoData)
        }

        @Test func followsCNAMEInAnswerForA() async throws {
            let named = try NamedFixture.start()
            defer { named.stop() }
            let result = try await NamedFixture.client(named).query(WireSample.name("media.example.test."), .a)
            #expect(result.answers.first?.type == .cname)
            #expect(result.answers.filter { $0.type == .a }.count == 2)
        }

        @Test func largeAnswerIsRetriedOverTCP() async throws {
            let named = try NamedFixture.start()
            defer { named.stop() }
            let big = WireSample.name("big.example.test.")
            let result = try await NamedFixture.client(named).query(big, .txt)
            #expect(result.usedTCP)
            #expect(result.records(.txt, of: big).count == 40)
            let small = try await NamedFixture.client(named).query(WireSample.name("txt.example.test."), .txt)
            #expect(!small.usedTCP)
            #expect(small.answers.map(\.data) == [.txt([Array("hello".utf8), Array("world".utf8)])])
        }

        @Test func zoneNotServedIsRefused() async throws {
            let named = try NamedFixture.start()
            defer { named.stop() }
            let client = try NamedFixture.client(named)
            await #expect {
                _ = try await client.query(WireSample.name("www.elsewhere.test."), .a)
            } throws: { error in
                guard case DNSError.refused(let server, _) = error else { return false }
                return server == client.server && "\(error)".contains("refused")
            }
        }
    }
}
