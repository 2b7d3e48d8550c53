import Foundation
import Testing

@testable import DNS

@Suite struct ZoneFilePresentationTests {
    @Test func printsEvidenceLines() throws {
        let aaaa = ResourceRecord(
            name: try DNSName("media.example.social."), type: .aaaa, ttl: 300,
            data: .aaaa(try #require(IPv6Bytes("2001:0db8:0:0::10"))))
        #expect(aaaa.presentation == "media.example.social. 300 IN AAAA 2001:db8::10")
        let txt = ResourceRecord(
            name: try DNSName("t.example."), type: .txt, ttl: 60,
            data: .txt([Array("say \"hi\" \\ ok".utf8), [0xC3, 0xA9, 9], []]))
        #expect(txt.presentation == #"t.example. 60 IN TXT "say \"hi\" \\ ok" "\195\169\009" """#)
        let soa = try ResourceRecord(presentation: "example. 3600 IN SOA ns.example. host\\.master.example. 1 2 3 4 5")
        #expect(soa.presentation == "example. 3600 IN SOA ns.example. host\\.master.example. 1 2 3 4 5")
    }

    @Test(arguments: ZoneFileFixtures.names)
    func everyRecordRoundTrips(fixture: String) throws {
        let zone = try ZoneFileFixtures.zone(fixture)
        for record in zone.records {
            let line = record.presentation
            let back = try ResourceRecord(presentation: line)
            #expect(back == record, "\(line)")
            #expect(back.presentation == line)
        }
    }

    @Test func parsesRelativeLinesAgainstAnOrigin() throws {
        let record = try ResourceRecord(presentation: "www 60 CNAME @", origin: try DNSName("example.net."))
        #expect(record.presentation == "www.example.net. 60 IN CNAME example.net.")
    }

    @Test func refusesAnythingButOneRecord() throws {
        #expect(throws: ZoneFileError(path: "<record>", line: 1, column: 1, reason: .notOneRecord(2))) {
            try ResourceRecord(presentation: "a. 1 A 192.0.2.1\nb. 1 A 192.0.2.2")
        }
        #expect(throws: ZoneFileError(path: "<record>", line: 1, column: 1, reason: .notOneRecord(0))) {
            try ResourceRecord(presentation: "; nothing")
        }
        #expect(throws: ZoneFileError(path: "<record>", line: 1, column: 1, reason: .noTTL)) {
            try ResourceRecord(presentation: "a. A 192.0.2.1")
        }
    }

    @Test func relativeOwnerText() throws {
        let origin = try DNSName("example.com.")
        #expect(try DNSName("www.example.com.").relativePresentation(to: origin) == "www")
        #expect(try DNSName("a\\.b.example.com.").relativePresentation(to: origin) == "a\\.b")
        #expect(origin.relativePresentation(to: origin) == "@")
        #expect(try DNSName("www.example.org.").relativePresentation(to: origin) == "www.example.org.")
    }
}
