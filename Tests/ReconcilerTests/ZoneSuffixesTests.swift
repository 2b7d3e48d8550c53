import DNS
import Testing

@testable import Reconciler

/// The unmanaged-name check finds a server_name's zone on its bytes (``ZoneSuffixes``); it
/// must say what parsing the name as a DNS name and asking each zone says, on every kind of
/// name nginx accepts as exact: cases, escapes, empty and over-long labels, non-ASCII bytes.
@Suite struct ZoneSuffixesTests {
    /// What the planner asked before: the name parsed (absolute), inside some zone.
    static func parsed(_ name: String, _ zones: [DNSName]) -> Bool {
        guard let dnsName = try? DNSName(name + ".") else { return false }
        return zones.contains { dnsName.isSubdomain(of: $0) }
    }

    static let zoneSets: [[String]] = [
        ["example.social."], ["Example.SOCIAL.", "social."], ["."], ["b.c.", "a.b.c."], ["xn--caf-dma.example."],
        [],
    ]

    /// Names around every boundary the parse checks, in several cases, with and without the zones.
    static func names() -> [String] {
        let long63 = String(repeating: "a", count: 63)
        let long64 = String(repeating: "a", count: 64)
        var names = [
            "example.social", "EXAMPLE.social", "www.example.social", "www.Example.Social", "wwwexample.social",
            "example.socialx", "xexample.social", "social", "a.b.c", "b.c", "c", "x.a.b.c", "ab.c", ".example.social",
            "example.social.", "www..example.social", "..", ".", "@", "@.example.social", "café.example.social",
            "caf\u{e9}.xn--caf-dma.example", "w.xn--caf-dma.example", "a\\.b.example.social", "a\\046example.social",
            "v1.example.socia\\108", "\(long63).example.social", "\(long64).example.social", "-a.example.social",
            "a_b.example.social", "*.example.social", "x.*", "ex ample.social",
        ]
        // Names of 253 to 256 bytes: at most 255 on the wire is valid.
        for length in 250...258 {
            var labels: [String] = []
            var total = 0
            while total < length - 15 {
                labels.append(String(repeating: "b", count: 9))
                total += 10
            }
            let tail = "example.social"
            let pad = max(1, length - total - tail.count - 1)
            labels.append(String(repeating: "c", count: min(pad, 63)))
            names.append((labels + [tail]).joined(separator: "."))
        }
        return names
    }

    @Test(arguments: zoneSets)
    func agreesWithParsingTheName(zoneTexts: [String]) throws {
        let zones = try zoneTexts.map { try DNSName($0) }
        let suffixes = try #require(ZoneSuffixes(zones))
        for name in Self.names() {
            let expected = Self.parsed(name, zones)
            if let fast = suffixes.contains(name) {
                #expect(fast == expected, "\(name) in \(zoneTexts): \(fast), parsed \(expected)")
            } else {
                #expect(name.contains("\\"), "\(name): only a backslash sends the name to the parser")
            }
        }
        // Some names of each set are inside and some are not (the check is not vacuous).
        if !zones.isEmpty {
            #expect(Self.names().contains { Self.parsed($0, zones) })
            #expect(Self.names().contains { !Self.parsed($0, zones) })
        }
    }

    @Test func aZoneWithADotInALabelIsLeftToTheParser() throws {
        #expect(ZoneSuffixes([try DNSName("a\\.b.example.")]) == nil)
    }
}
