import DNS
import FuzzEntryPoints
import TestSupport
import Testing

/// Inputs the DNS fuzzers once crashed on (`Fuzz/Regressions/`), replayed through the
/// fuzzers' own entry points: each must decode or be rejected without breaking an invariant.
@Suite struct FuzzRegressionTests {
    @Test(arguments: try FuzzRegressions.replayCases(of: "dns-message"))
    func messageInput(_ input: FuzzRegressions.Input) {
        // DNSFuzz.decode traps when re-encoding changes a decoded message.
        DNSFuzz.decode(input.bytes)
    }

    @Test(arguments: try FuzzRegressions.replayCases(of: "zone-file"))
    func zoneFileInput(_ input: FuzzRegressions.Input) {
        #expect(ZoneFileFuzz.violation(in: input.bytes) == nil)
    }

    /// The zone entry point parses under its origin: a minimal zone is accepted and yields
    /// its SOA, a record outside the origin is rejected.
    @Test func zoneEntryPointParsesUnderItsOrigin() throws {
        let zone = "$TTL 300\n@ IN SOA ns1 admin 1 2 3 4 5\n@ IN NS ns1\nns1 IN A 192.0.2.1\n"
        #expect(ZoneFileFuzz.violation(in: Array(zone.utf8)) == nil)
        let parsed = try ZoneFile.parse(Array(zone.utf8), path: "fuzz.zone", origin: ZoneFileFuzz.origin)
        #expect(parsed.records.count == 3)
        #expect(throws: ZoneFileError.self) {
            try ZoneFile.parse(
                Array((zone + "other.test. IN A 192.0.2.2\n").utf8), path: "fuzz.zone", origin: ZoneFileFuzz.origin)
        }
    }
}
