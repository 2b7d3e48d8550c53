import Foundation
import TestSupport
import Testing

@testable import DNS

/// Shared setup of the tests that run against a real named.
enum NamedFixture {
    static let zone = WireSample.zone

    /// A small zone with one record set of each queried type, and a name whose TXT set is
    /// larger than 512 bytes (so UDP answers are truncated).
    static func smallZone(serial: UInt32 = 2_024_010_101) -> String {
        var text = """
            $TTL 300
            @       IN SOA ns1.example.test. hostmaster.example.test. \(serial) 3600 600 86400 300
            @       IN NS ns1
            ns1     IN A 127.0.0.1
            www     IN A 192.0.2.10
            www     IN A 192.0.2.11
            www     IN AAAA 2001:db8::10
            media   IN CNAME www
            txt     IN TXT "hello" "world"
            mail    IN MX 10 www
            unknown IN TYPE65280 \\# 4 0A0B0C0D

            """
        // Past the 1232 bytes EDNS(0) allows over UDP, so the answer is truncated.
        for i in 0..<40 {
            text += "big IN TXT \"\(String(repeating: "x", count: 40))-\(i)\"\n"
        }
        return text
    }

    static func start(
        zones: [NamedServer.Zone] = [NamedServer.Zone(name: "example.test", contents: smallZone())]
    ) throws -> NamedServer {
        try NamedServer(zones: zones)
    }

    static func client(_ named: NamedServer, ipv6: Bool = false, timeout: Duration = .seconds(3)) throws -> DNSClient {
        DNSClient(server: try DNSServerAddress(host: ipv6 ? "::1" : "127.0.0.1", port: named.port), timeout: timeout)
    }

    /// The named's key for `algorithm`, read through the key-file parser.
    static func key(_ named: NamedServer, _ algorithm: TSIGAlgorithm) throws -> TSIGKey {
        guard let key = named.key(algorithm.rawValue) else { throw NamedFixtureError.noKey(algorithm.rawValue) }
        return try TSIGKey.parse(key.keyFile, source: "tsig-keygen output")
    }

    enum NamedFixtureError: Error { case noKey(String) }
}

/// Parent of the suites that start servers, measure time or burn CPU: they run one at a time,
/// so a timing bound is not broken by a neighbour starving the cooperative thread pool.
@Suite(.serialized) enum SerializedDNSTests {}
