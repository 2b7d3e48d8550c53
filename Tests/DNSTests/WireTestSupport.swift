@testable import DNS

/// Shorthands for building records in tests.
enum WireSample {
    static func name(_ text: String) -> DNSName {
        // Test inputs are literals; a bad one is a bug in the test.
        guard let n = try? DNSName(text) else { fatalError("bad test name \(text)") }
        return n
    }

    static func v4(_ text: String) -> IPv4Bytes {
        guard let v = IPv4Bytes(text) else { fatalError("bad test IPv4 \(text)") }
        return v
    }

    static func v6(_ text: String) -> IPv6Bytes {
        guard let v = IPv6Bytes(text) else { fatalError("bad test IPv6 \(text)") }
        return v
    }

    static let zone = name("example.test.")
    static let soa = SOA(
        mname: name("ns1.example.test."), rname: name("hostmaster.example.test."), serial: 2_024_010_101,
        refresh: 3600, retry: 600, expire: 86400, minimum: 300)

    /// A response holding one record of every modelled type plus an unknown type.
    static func responseWithEveryType() -> DNSMessage {
        let owner = name("www.example.test.")
        return DNSMessage(
            header: DNSHeader(id: 0x1234, isResponse: true, authoritative: true),
            questions: [DNSQuestion(name: owner, type: .any)],
            answers: [
                ResourceRecord(name: owner, type: .a, ttl: 300, data: .a(v4("192.0.2.10"))),
                ResourceRecord(name: owner, type: .aaaa, ttl: 300, data: .aaaa(v6("2001:db8::10"))),
                ResourceRecord(name: name("alias.example.test."), type: .cname, ttl: 60, data: .cname(owner)),
                ResourceRecord(name: zone, type: .ns, ttl: 3600, data: .ns(name("ns1.example.test."))),
                ResourceRecord(name: zone, type: .soa, ttl: 3600, data: .soa(soa)),
                ResourceRecord(
                    name: owner, type: .txt, ttl: 300, data: .txt([Array("v=spf1 -all".utf8), [], Array("\"q\"".utf8)])),
                ResourceRecord(name: owner, type: RecordType(rawValue: 65280), ttl: 5, data: .opaque([0, 1, 2, 0xFF])),
            ],
            authority: [ResourceRecord(name: zone, type: .ns, ttl: 3600, data: .ns(name("ns2.example.test.")))],
            additional: [
                ResourceRecord(name: name("ns1.example.test."), type: .a, ttl: 3600, data: .a(v4("192.0.2.1")))
            ]
        )
    }
}
