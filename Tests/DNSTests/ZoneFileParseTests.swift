import Foundation
import Testing

@testable import DNS

@Suite struct ZoneFileParseTests {
    func parse(_ text: String, origin: String = "example.com.") throws -> ZoneFile {
        try ZoneFile.parse(Array(text.utf8), path: "t.zone", origin: try DNSName(origin))
    }

    func name(_ text: String) throws -> DNSName { try DNSName(text) }

    @Test func readsTheOutageZone() throws {
        let zone = try ZoneFileFixtures.zone("example.social.zone")
        #expect(zone.origin == (try name("example.social.")))
        #expect(zone.soa.serial == 2_024_052_803)
        #expect(zone.soa.mname == (try name("ns1.example.social.")))
        #expect(zone.soa.expire == 1_209_600)
        let media = zone.entries.filter { $0.record.name == (try? name("media.example.social.")) }
        #expect(media.map(\.record.type) == [.a, .aaaa])
        #expect(media.map(\.record.ttl) == [300, 300])
        #expect(media.last?.record.data == .aaaa(try #require(IPv6Bytes("2001:db8::10"))))
        // The AAAA line starts with a tab: owner carried forward, location is its first token.
        #expect(media.last?.location.line == 20)
        #expect(media.last?.location.column == 2)
        #expect(media.last?.location.description == "zones/example.social.zone:20")
        let www = try #require(
            zone.records.first { $0.type == .cname && $0.name == (try? name("www.example.social.")) })
        #expect(www.data == .cname(try name("example.social.")))
        let statik = try #require(zone.records.first { $0.name == (try? name("static.example.social.")) })
        #expect(statik.ttl == 3600)
        #expect(statik.data == .cname(try name("media.example.social.")))
    }

    @Test func locationsCoverTheWholeLinesOfAnEntry() throws {
        let text = "$TTL 60\n@ SOA ns h ( 1\n 2 3 4 5 ) ; tail\n\n; comment\nwww A 192.0.2.1\n"
        let zone = try parse(text)
        let bytes = Array(text.utf8)
        let soa = zone.entries[0].location
        #expect(String(decoding: bytes[soa.byteRange], as: UTF8.self) == "@ SOA ns h ( 1\n 2 3 4 5 ) ; tail\n")
        #expect((soa.line, soa.column) == (2, 1))
        let www = zone.entries[1].location
        #expect(String(decoding: bytes[www.byteRange], as: UTF8.self) == "www A 192.0.2.1\n")
        #expect(www.line == 6)
    }

    @Test func carriesOwnerTTLAndClassForward() throws {
        let zone = try parse("$TTL 60\n@ SOA ns h 1 2 3 4 5\nhost 30 IN A 192.0.2.1\n\tAAAA 2001:db8::1\n  IN TXT x\n")
        let host = try name("host.example.com.")
        #expect(zone.records[1...].map(\.name) == [host, host, host])
        // With $TTL the omitted TTL is the default, not the previous record's.
        #expect(zone.records[1...].map(\.ttl) == [30, 60, 60])
        #expect(zone.records.allSatisfy { $0.rclass == .in })
    }

    @Test func resolvesNamesAgainstTheCurrentOrigin() throws {
        let zone = try ZoneFileFixtures.zone("origins.example.zone")
        let names = Set(zone.records.map(\.name.description))
        #expect(
            names == [
                "origins.example.", "ns1.origins.example.", "absolute.origins.example.", "sub.origins.example.",
                "host.sub.origins.example.", "deep.er.sub.origins.example.", "other.sub.origins.example.",
                "x.other.sub.origins.example.", "back.origins.example.", "later.origins.example.",
            ])
        let later = try #require(zone.records.last)
        #expect(later.ttl == 172_800)
    }

    @Test func readsQuotedAndEscapedText() throws {
        let zone = try parse(
            #"""
            $TTL 60
            @ SOA ns h 1 2 3 4 5
            t TXT "a \"b\" c" plain\;semi "\065\066" "" "x;y(z)"
            """#)
        #expect(
            zone.records[1].data
                == .txt([Array("a \"b\" c".utf8), Array("plain;semi".utf8), Array("AB".utf8), [], Array("x;y(z)".utf8)])
        )
    }

    @Test func readsTTLUnits() throws {
        #expect(ZoneFileTTL.parse(Array("1w2d3h4m5s".utf8)) == 788_645)
        #expect(ZoneFileTTL.parse(Array("1H".utf8)) == 3600)
        #expect(ZoneFileTTL.parse(Array("0".utf8)) == 0)
        #expect(ZoneFileTTL.parse(Array("2147483647".utf8)) == 2_147_483_647)
        #expect(ZoneFileTTL.parse(Array("2147483648".utf8)) == nil)
        #expect(ZoneFileTTL.parse(Array("1h30".utf8)) == nil)
        #expect(ZoneFileTTL.parse(Array("h".utf8)) == nil)
        #expect(ZoneFileTTL.parse(Array("5y".utf8)) == nil)
    }

    @Test func readsMXAndPTRAsWireData() throws {
        let zone = try parse("$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ MX 10 Mail\nr PTR target.example.\n")
        #expect(
            zone.records[1].data
                == .opaque(
                    [0, 10, 4] + Array("Mail".utf8) + [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0]))
        #expect(zone.records[1].presentation == "example.com. 60 IN MX 10 Mail.example.com.")
        #expect(zone.records[2].presentation == "r.example.com. 60 IN PTR target.example.")
    }

    @Test func readsGenericData() throws {
        let zone = try ZoneFileFixtures.zone("generic.example.zone")
        func data(_ owner: String) throws -> RData? {
            let wanted = try name(owner + ".generic.example.")
            return zone.records.first { $0.name == wanted }?.data
        }
        #expect(try data("unknown") == .opaque([0xAB, 0xCD, 0xEF]))
        #expect(try data("empty") == .opaque([]))
        #expect(try data("split-hex") == .opaque([1, 2, 3, 4, 5, 6]))
        #expect(try data("generic-a") == .a(try #require(IPv4Bytes("192.0.2.2"))))
        #expect(try data("generic-txt") == .txt([Array("hello".utf8)]))
        #expect(
            zone.records.first { $0.type.rawValue == 65534 }?.presentation
                == "unknown.generic.example. 300 IN TYPE65534 \\# 3 ABCDEF")
    }

    @Test func acceptsAFileWithoutATrailingNewlineAndWithCRLF() throws {
        let crlf = try ZoneFileFixtures.zone("crlf.example.zone")
        #expect(crlf.records.count == 4)
        #expect(crlf.records.last?.data == .txt([Array("windows line ends".utf8)]))
        let noeol = try ZoneFileFixtures.zone("noeol.example.zone")
        #expect(noeol.records.last?.name == (try name("last.noeol.example.")))
    }
}
