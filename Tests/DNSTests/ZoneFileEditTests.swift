import Foundation
import TestSupport
import Testing

@testable import DNS

@Suite struct ZoneFileEditTests {
    let now = ZoneFileFixtures.now

    func record(_ line: String) throws -> ResourceRecord {
        try ResourceRecord(presentation: line)
    }

    /// Writes `output` to a temp file, checks BIND accepts it and loads exactly `expected`.
    func expectBINDAccepts(_ output: [UInt8], origin: DNSName, expected: Set<ResourceRecord>) throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("edited.zone", Data(output))
        let check = try ZoneFileFixtures.checkzone(file: file.path, origin: origin)
        #expect(check.succeeded, "\(check.stdout)\(check.stderr)")
        let loaded = try ZoneFileFixtures.recordsBINDLoads(file: file.path, origin: origin)
        #expect(loaded == expected)
    }

    /// The records a zone should hold after an edit, by our own reading of the original.
    func expectedRecords(
        _ zone: ZoneFile, adding: [ResourceRecord], deleting: [ResourceRecord]
    ) -> Set<ResourceRecord> {
        let serial = SOA.nextSerial(after: zone.soa.serial, now: now)
        var result = Set<ResourceRecord>()
        for var record in zone.records
        where !deleting.contains(where: { ZoneFileRecordIdentity($0) == ZoneFileRecordIdentity(record) }) {
            if case .soa(var soa) = record.data {
                soa.serial = serial
                record.data = .soa(soa)
            }
            result.insert(record)
        }
        return result.union(adding)
    }

    @Test
    func replacesAnAddressNextToItsOwner() throws {
        let zone = try ZoneFileFixtures.zone("example.social.zone")
        let old = try record("media.example.social. 300 IN AAAA 2001:db8::10")
        let new = try record("media.example.social. 300 IN AAAA 2001:db8::11")
        let output = try zone.edited(adding: [new], deleting: [old], now: now)

        let diff = ZoneFileFixtures.lineDiff(zone.bytes, output)
        #expect(diff.removed == ["\t\t\t2024052803\t; serial\n", "\tIN\tAAAA\t2001:db8::10\n"])
        #expect(diff.added == ["\t\t\t2026112500\t; serial\n", "media.example.social. 300 IN AAAA 2001:db8::11\n"])
        // The new line takes the old one's place, among media's records.
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.contains("media\tIN\tA\t203.0.113.10\nmedia.example.social. 300 IN AAAA 2001:db8::11\nlegacy"))
        try expectBINDAccepts(
            output, origin: zone.origin, expected: expectedRecords(zone, adding: [new], deleting: [old]))
    }

    @Test
    func deletingTheOwnerLineGivesTheNextLineItsOwner() throws {
        let zone = try ZoneFileFixtures.zone("example.social.zone")
        let gone = try record("media.example.social. 300 IN A 203.0.113.10")
        let output = try zone.edited(adding: [], deleting: [gone], now: now)

        let diff = ZoneFileFixtures.lineDiff(zone.bytes, output)
        #expect(
            diff.removed == [
                "\t\t\t2024052803\t; serial\n", "media\tIN\tA\t203.0.113.10\n", "\tIN\tAAAA\t2001:db8::10\n",
            ])
        #expect(diff.added == ["\t\t\t2026112500\t; serial\n", "media\tIN\tAAAA\t2001:db8::10\n"])
        try expectBINDAccepts(
            output, origin: zone.origin, expected: expectedRecords(zone, adding: [], deleting: [gone]))
    }

    @Test
    func deletingUnderRFC1035TTLsKeepsTheNextRecordsTTL() throws {
        let zone = try ZoneFileFixtures.zone("rfc1035-ttl.example.zone")
        let gone = try record("ns.rfc1035-ttl.example. 120 IN A 192.0.2.1")
        let output = try zone.edited(adding: [], deleting: [gone], now: now)

        let diff = ZoneFileFixtures.lineDiff(zone.bytes, output)
        #expect(
            diff.removed == ["@ 3600 IN SOA ns hostmaster 1 2 3 4 5\n", "ns 120 A 192.0.2.1\n", "  AAAA 2001:db8::1\n"])
        #expect(diff.added == ["@ 3600 IN SOA ns hostmaster 2 2 3 4 5\n", "ns  120 AAAA 2001:db8::1\n"])
        try expectBINDAccepts(
            output, origin: zone.origin, expected: expectedRecords(zone, adding: [], deleting: [gone]))
    }

    @Test
    func addingUnderRFC1035TTLsDoesNotChangeTheFollowingRecords() throws {
        let zone = try ZoneFileFixtures.zone("rfc1035-ttl.example.zone")
        // `a` follows ns's AAAA and inherits its TTL 120; the added line carries 60.
        let added = try record("ns.rfc1035-ttl.example. 60 IN TXT \"new\"")
        let output = try zone.edited(adding: [added], deleting: [], now: now)
        let diff = ZoneFileFixtures.lineDiff(zone.bytes, output)
        #expect(diff.removed == ["@ 3600 IN SOA ns hostmaster 1 2 3 4 5\n", "a A 192.0.2.10\n"])
        #expect(
            diff.added == [
                "@ 3600 IN SOA ns hostmaster 2 2 3 4 5\n", "ns.rfc1035-ttl.example. 60 IN TXT \"new\"\n",
                "a 120 A 192.0.2.10\n",
            ])
        try expectBINDAccepts(
            output, origin: zone.origin, expected: expectedRecords(zone, adding: [added], deleting: []))
    }

    @Test
    func deletesAMultiLineEntryWhole() throws {
        let zone = try ZoneFileFixtures.zone("multiline.example.zone")
        let gone = try #require(zone.records.first { $0.type == .txt })
        let output = try zone.edited(adding: [], deleting: [gone], now: now)
        let diff = ZoneFileFixtures.lineDiff(zone.bytes, output)
        #expect(
            diff.removed == [
                "    2023010100 ; serial, a date\n",
                "txt IN TXT ( \"first string\"\n",
                "             \"second; with a semicolon\"   ; a comment inside parentheses\n",
                "             \"third (with parentheses)\" )\n",
            ])
        #expect(diff.added == ["    2026112500 ; serial, a date\n"])
        try expectBINDAccepts(
            output, origin: zone.origin, expected: expectedRecords(zone, adding: [], deleting: [gone]))
    }

    @Test
    func addsANewOwnerAtTheEndOfAFileWithoutFinalNewline() throws {
        let zone = try ZoneFileFixtures.zone("noeol.example.zone")
        let added = try record("new.noeol.example. 300 IN AAAA 2001:db8::99")
        let output = try zone.edited(adding: [added], deleting: [], now: now)
        let text = String(decoding: output, as: UTF8.self)
        #expect(
            text.hasSuffix("last A 192.0.2.9 ; no newline at the end\nnew.noeol.example. 300 IN AAAA 2001:db8::99\n"))
        try expectBINDAccepts(
            output, origin: zone.origin, expected: expectedRecords(zone, adding: [added], deleting: []))
    }

    @Test
    func addedLinesFollowCRLFLineEnds() throws {
        let zone = try ZoneFileFixtures.zone("crlf.example.zone")
        let added = try record("crlf.crlf.example. 300 IN TXT \"another\"")
        let output = try zone.edited(adding: [added], deleting: [], now: now)
        let diff = ZoneFileFixtures.lineDiff(zone.bytes, output)
        #expect(diff.removed == ["@ SOA ns hostmaster 1 3600 900 604800 300\r\n"])
        #expect(
            diff.added == [
                "@ SOA ns hostmaster 2 3600 900 604800 300\r\n", "crlf.crlf.example. 300 IN TXT \"another\"\r\n",
            ])
        try expectBINDAccepts(
            output, origin: zone.origin, expected: expectedRecords(zone, adding: [added], deleting: []))
    }

    @Test
    func editsTheNastyZoneAndWrapsTheSerial() throws {
        let zone = try ZoneFileFixtures.zone("nasty.example.zone")
        #expect(zone.soa.serial == UInt32.max)
        let multiA = try record("multi.nasty.example. 300 IN A 192.0.2.77")
        let quotes = try #require(zone.records.first { $0.name == (try? DNSName("quotes.nasty.example.")) })
        let added = [
            try record("multi.nasty.example. 300 IN A 192.0.2.78"),
            try record("brand-new.nasty.example. 60 IN TXT \"semi;colon\" \"q\\\"uote\" \"caf\\195\\169\""),
        ]
        let output = try zone.edited(adding: added, deleting: [multiA, quotes], now: now)
        let reparsed = try ZoneFile.parse(output, path: "edited", origin: zone.origin)
        #expect(reparsed.soa.serial == 1)
        let diff = ZoneFileFixtures.lineDiff(zone.bytes, output)
        #expect(diff.removed.count == 3)  // serial, quotes, multi's A
        #expect(diff.added.count == 3)  // serial, two additions
        try expectBINDAccepts(
            output, origin: zone.origin, expected: expectedRecords(zone, adding: added, deleting: [multiA, quotes]))
    }

    @Test
    func carriedOwnerSurvivesDeletingAChainAndCrossingAnOriginChange() throws {
        let text = """
            $TTL 60
            @ SOA ns h 1 2 3 4 5
            @ NS ns
            ns A 192.0.2.1
            a A 192.0.2.10
              A 192.0.2.11
              A 192.0.2.12
            www A 192.0.2.2
            $ORIGIN sub.example.com.
                AAAA 2001:db8::2

            """
        let zone = try ZoneFile.parse(Array(text.utf8), path: "inline.zone", origin: try DNSName("example.com."))
        let gone = [
            try record("a.example.com. 60 IN A 192.0.2.10"), try record("a.example.com. 60 IN A 192.0.2.11"),
            try record("www.example.com. 60 IN A 192.0.2.2"),
        ]
        let output = try zone.edited(adding: [], deleting: gone, now: now)
        let diff = ZoneFileFixtures.lineDiff(zone.bytes, output)
        #expect(
            diff.removed == [
                "@ SOA ns h 1 2 3 4 5\n", "a A 192.0.2.10\n", "  A 192.0.2.11\n", "  A 192.0.2.12\n",
                "www A 192.0.2.2\n", "    AAAA 2001:db8::2\n",
            ])
        // Relative where the origin allows it, absolute where a $ORIGIN moved away.
        #expect(
            diff.added == [
                "@ SOA ns h 2 2 3 4 5\n", "a  A 192.0.2.12\n", "www.example.com.    AAAA 2001:db8::2\n",
            ])
        try expectBINDAccepts(output, origin: zone.origin, expected: expectedRecords(zone, adding: [], deleting: gone))
    }

    @Test func deletingAMissingRecordIsAnError() throws {
        let zone = try ZoneFileFixtures.zone("example.social.zone")
        let missing = try record("media.example.social. 300 IN AAAA 2001:db8::99")
        #expect(throws: ZoneFileError(path: "zones/example.social.zone", reason: .recordNotFound(missing.presentation)))
        {
            try zone.edited(adding: [], deleting: [missing], now: now)
        }
        let error = try #require(throws: ZoneFileError.self) {
            try zone.edited(adding: [], deleting: [missing], now: now)
        }
        #expect(
            error.description
                == "zones/example.social.zone: cannot delete \"media.example.social. 300 IN AAAA 2001:db8::99\": no such record in the zone"
        )
    }

    @Test func addingARecordTheZoneHoldsIsAnError() throws {
        let zone = try ZoneFileFixtures.zone("example.social.zone")
        let present = try record("legacy.example.social. 60 IN A 203.0.113.10")
        let error = try #require(throws: ZoneFileError.self) {
            try zone.edited(adding: [present], deleting: [], now: now)
        }
        #expect(
            error.description
                == "zones/example.social.zone:21:1: cannot add \"legacy.example.social. 300 IN A 203.0.113.10\": the zone already holds it here"
        )
        // Deleting and adding it again changes its TTL.
        let output = try zone.edited(adding: [present], deleting: [present], now: now)
        let diff = ZoneFileFixtures.lineDiff(zone.bytes, output)
        #expect(diff.removed == ["\t\t\t2024052803\t; serial\n", "legacy\tIN\tA\t203.0.113.10\n"])
        #expect(diff.added == ["\t\t\t2026112500\t; serial\n", "legacy.example.social. 60 IN A 203.0.113.10\n"])
    }

    @Test func deleteMatchesWhateverTheTTL() throws {
        let zone = try ZoneFileFixtures.zone("example.social.zone")
        let sameButTTL = try record("legacy.example.social. 1 IN A 203.0.113.10")
        let output = try zone.edited(adding: [], deleting: [sameButTTL], now: now)
        let reparsed = try ZoneFile.parse(output, path: "edited", origin: zone.origin)
        #expect(reparsed.records.count == zone.records.count - 1)
        #expect(!reparsed.records.contains { $0.name == sameButTTL.name })
    }

    @Test func refusesAdditionsTheZoneCannotHold() throws {
        let zone = try ZoneFileFixtures.zone("example.social.zone")
        let path = "zones/example.social.zone"
        let soa = zone.records[zone.soaIndex]
        #expect(throws: ZoneFileError(path: path, reason: .soaNotEditable)) {
            try zone.edited(adding: [soa], deleting: [], now: now)
        }
        #expect(throws: ZoneFileError(path: path, reason: .soaNotEditable)) {
            try zone.edited(adding: [], deleting: [soa], now: now)
        }
        let outside = try record("www.example.org. 300 IN A 192.0.2.1")
        #expect(throws: ZoneFileError(path: path, reason: .outsideZone(name: outside.name, origin: zone.origin))) {
            try zone.edited(adding: [outside], deleting: [], now: now)
        }
        let mismatched = ResourceRecord(
            name: try DNSName("x.example.social."), type: .aaaa, ttl: 300,
            data: .a(try #require(IPv4Bytes("192.0.2.1"))))
        #expect(throws: ZoneFileError(path: path, reason: .dataDoesNotMatchType(mismatched.presentation))) {
            try zone.edited(adding: [mismatched], deleting: [], now: now)
        }
    }
}
