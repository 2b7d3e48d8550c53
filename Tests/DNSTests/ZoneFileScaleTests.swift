import Foundation
import Testing

@testable import DNS

/// Correct at the scale of the performance acceptance (a zone of ~56,000 records, 4,000
/// additions); how fast is `reconcile-bench dns`'s business, not a test's.
@Suite struct ZoneFileScaleTests {
    static let origin = try! DNSName("bench.example.")

    /// `hosts` names with an A and an AAAA each, written the way people write zones.
    static func generatedZone(hosts: Int) -> [UInt8] {
        var text =
            "$TTL 300\n@ IN SOA ns1 hostmaster ( 2026010100 3600 900 1209600 300 )\n\tIN NS ns1\nns1 IN A 192.0.2.53\n"
        text.reserveCapacity(hosts * 60)
        for index in 0..<hosts {
            text += "vhost\(index)\tIN\tA\t10.\(index >> 16 & 255).\(index >> 8 & 255).\(index & 255)\n"
            text += "\tIN\tAAAA\t2001:db8::\(String(index, radix: 16))\n"
        }
        return Array(text.utf8)
    }

    @Test func parsesAndEditsALargeZone() throws {
        let bytes = Self.generatedZone(hosts: 28_000)
        let parsed = try ZoneFile.parse(bytes, path: "bench.zone", origin: Self.origin)
        #expect(parsed.records.count == 56_003)

        var additions: [ResourceRecord] = []
        for index in 0..<4_000 {
            // Half next to existing owners, half new names at the end.
            let owner = index % 2 == 0 ? "vhost\(index)" : "new\(index)"
            additions.append(
                try ResourceRecord(
                    presentation: "\(owner).bench.example. 300 IN AAAA 2001:db8:1::\(String(index, radix: 16))"))
        }
        let deletions = try (0..<100).map { index in
            try ResourceRecord(
                presentation:
                    "vhost\(index * 7).bench.example. 300 IN A 10.0.\((index * 7) >> 8 & 255).\((index * 7) & 255)")
        }
        let output = try parsed.edited(adding: additions, deleting: deletions, now: ZoneFileFixtures.now)
        let reparsed = try ZoneFile.parse(output, path: "bench.zone", origin: Self.origin)
        #expect(reparsed.records.count == 56_003 + 4_000 - 100)
    }
}
