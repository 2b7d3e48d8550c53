import Foundation
import NIOCore
import NIOPosix
import TestSupport
import Testing

@testable import DNS

extension SerializedDNSTests {
    @Suite struct TransportTimeoutTests {
        @Test func silentServerTimesOutWithinTheConfiguredBound() async throws {
            // A UDP socket that receives and never answers, like a dead server whose packets are
            // dropped (no ICMP unreachable): a channel without handlers discards what it reads.
            let silent = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0).get()
            defer { silent.close(promise: nil) }
            let port = try #require(silent.localAddress?.port)
            let server = try DNSServerAddress(host: "127.0.0.1", port: UInt16(port))
            let client = DNSClient(server: server, timeout: .milliseconds(300), retries: 2)
            let clock = ContinuousClock()
            let start = clock.now
            await #expect {
                _ = try await client.query(WireSample.name("www.example.test."), .a)
            } throws: { error in
                guard case DNSError.timeout(let s, let elapsed, let attempts) = error else { return false }
                return s == server && attempts == 3 && elapsed >= .milliseconds(900)
                    && "\(error)".contains("127.0.0.1:\(port)")
            }
            let elapsed = clock.now - start
            #expect(elapsed < .seconds(5), "took \(elapsed) with a 3 x 300 ms bound")
        }

        @Test func silentTCPServerTimesOutATransfer() async throws {
            // Accepts connections and never writes: the transfer must give up after the timeout.
            let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0).get()
            defer { silent.close(promise: nil) }
            let port = try #require(silent.localAddress?.port)
            let client = DNSClient(
                server: try DNSServerAddress(host: "127.0.0.1", port: UInt16(port)), timeout: .milliseconds(400))
            let clock = ContinuousClock()
            let start = clock.now
            await #expect {
                _ = try await client.transferZone(NamedFixture.zone, key: nil)
            } throws: { error in
                guard case DNSError.timeout(_, let elapsed, _) = error else { return false }
                return elapsed >= .milliseconds(400)
            }
            #expect(clock.now - start < .seconds(5))
        }

        @Test func unansweredUpdateSaysItsOutcomeIsUnknownAndIsNotRetried() async throws {
            // A server that takes the update and never answers, as one killed after reading it.
            let silent = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0).get()
            defer { silent.close(promise: nil) }
            let port = try #require(silent.localAddress?.port)
            let client = DNSClient(
                server: try DNSServerAddress(host: "127.0.0.1", port: UInt16(port)), timeout: .milliseconds(300),
                retries: 2)
            let name = WireSample.name("www.example.test.")
            let change = UpdateChange(
                prerequisites: [.rrsetEquals(name: name, type: .a, values: [])],
                operations: [.add(ResourceRecord(name: name, type: .a, ttl: 300, data: .a(WireSample.v4("192.0.2.1"))))]
            )
            var sent: [Int] = []
            await #expect {
                try await client.update(zone: WireSample.name("example.test."), changes: [change], key: nil) {
                    sent.append($0)
                }
            } throws: { error in
                guard case DNSError.updateUnanswered(_, _, let message, let total, let cause) = error else {
                    return false
                }
                return message == 1 && total == 1 && cause.contains("1 attempt)")
                    && "\(error)".contains("the server may have applied this one before it failed")
            }
            #expect(sent == [0])
        }

        @Test func serverAddressesMustBeLiterals() throws {
            #expect(try DNSServerAddress(host: "::1", port: 53).description == "[::1]:53")
            #expect(try DNSServerAddress(host: "[2001:db8::1]", port: 5353).isIPv6)
            #expect(throws: DNSError.invalidServerAddress("ns1.example.test")) {
                try DNSServerAddress(host: "ns1.example.test")
            }
        }
    }
}
