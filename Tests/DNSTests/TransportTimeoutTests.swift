import Foundation
import Testing
import TestSupport
@testable import DNS

#if canImport(Glibc)
    import Glibc
#endif

extension SerializedDNSTests {
    @Suite struct TransportTimeoutTests {
        /// A UDP socket on 127.0.0.1 that receives and never answers, like a dead server whose
        /// packets are dropped (no ICMP unreachable).
        final class SilentUDPServer {
            let fd: Int32
            let port: UInt16
            init() throws {
                port = LoopbackPort.free()
                fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
                var addr = sockaddr_in()
                addr.sin_family = sa_family_t(AF_INET)
                addr.sin_port = port.bigEndian
                addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
                let bound = withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                    }
                }
                guard fd >= 0, bound else { throw POSIXError(.EADDRINUSE) }
            }
            deinit { close(fd) }
        }

        @Test func silentServerTimesOutWithinTheConfiguredBound() async throws {
            let silent = try SilentUDPServer()
            let server = try DNSServerAddress(host: "127.0.0.1", port: silent.port)
            let client = DNSClient(server: server, timeout: .milliseconds(300), retries: 2)
            let clock = ContinuousClock()
            let start = clock.now
            await #expect {
                _ = try await client.query(WireSample.name("www.example.test."), .a)
            } throws: { error in
                guard case DNSError.timeout(let s, let elapsed, let attempts) = error else { return false }
                return s == server && attempts == 3 && elapsed >= .milliseconds(900)
                    && "\(error)".contains("127.0.0.1:\(silent.port)")
            }
            let elapsed = clock.now - start
            #expect(elapsed < .seconds(5), "took \(elapsed) with a 3 x 300 ms bound")
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
