import DNS
import Testing

/// The text forms every plan line is made of: names with their escapes, IPv4 dotted quads,
/// IPv6 in RFC 5952 form; and names hashed as they compare (ignoring ASCII case).
@Suite struct TextFormTests {
    @Test func namesEscapeWhatIsNotPlain() throws {
        #expect(DNSName.root.description == ".")
        #expect(try DNSName("Media.Example.social.").description == "Media.Example.social.")
        let name = DNSName(uncheckedLabels: [
            Array("a.b".utf8), [0x00, 0x20, 0x7F, 0xFF, 0x41], Array("x@$;()\"\\".utf8),
        ])
        #expect(name.description == "a\\.b.\\000\\032\\127\\255A.x\\@\\$\\;\\(\\)\\\"\\\\.")
    }

    @Test func namesHashIgnoringCase() throws {
        let lower = try DNSName("www.example.social.")
        let mixed = try DNSName("WWW.Example.SOCIAL.")
        #expect(lower == mixed)
        #expect(lower.hashValue == mixed.hashValue)
        #expect(Set([lower, mixed]).count == 1)
        #expect(lower.hashValue != (try DNSName("www.example.socia.")).hashValue)
    }

    @Test(arguments: [
        ([0, 0, 0, 0], "0.0.0.0"), ([203, 0, 113, 10], "203.0.113.10"), ([255, 99, 100, 9], "255.99.100.9"),
    ])
    func ipv4DottedQuads(bytes: [UInt8], text: String) throws {
        #expect(try #require(IPv4Bytes(bytes)).description == text)
        #expect(IPv4Bytes(text)?.bytes == bytes)
    }

    @Test(arguments: [
        "::", "::1", "2001:db8::10", "2001:db8:0:1:1:1:1:1", "fe80::abcd:ef01:0:0", "1:0:0:2::3", "ffff::",
        "2001:db8:a0b:12f0::1",
    ])
    func ipv6InCanonicalForm(text: String) throws {
        #expect(try #require(IPv6Bytes(text)).description == text)
    }

    @Test func ipv6CompressesTheLongestZeroRunAndLowercases() throws {
        #expect(try #require(IPv6Bytes("2001:0DB8:0000:0000:0001:0000:0000:0000")).description == "2001:db8:0:0:1::")
        #expect(try #require(IPv6Bytes("2001:db8:0:1:0:0:0:1")).description == "2001:db8:0:1::1")
    }
}
