import Testing

@testable import DNS

/// Each way a zone file can be wrong, with the exact message a user sees.
@Suite struct ZoneFileErrorTests {
    static let head = "$TTL 300\n@ SOA ns hostmaster 1 3600 900 604800 300\n@ NS ns\n"

    static let cases: [(text: String, message: String)] = [
        (head + "x TXT ( \"open\"\n", "bad.zone:4:7: '(' is never closed"),
        (head + "x A 192.0.2.1 )\n", "bad.zone:4:15: ')' without a matching '('"),
        (head + "x TXT \"no end\n", "bad.zone:4:7: quoted string is not closed before the end of the line"),
        (
            head + "x 5x A 192.0.2.1\n",
            "bad.zone:4:3: bad TTL \"5x\" (expected seconds or units like 1h30m, at most 2147483647)"
        ),
        (
            head + "x 1h30 A 192.0.2.1\n",
            "bad.zone:4:3: bad TTL \"1h30\" (expected seconds or units like 1h30m, at most 2147483647)"
        ),
        (
            head + "x 2147483648 A 192.0.2.1\n",
            "bad.zone:4:3: bad TTL \"2147483648\" (expected seconds or units like 1h30m, at most 2147483647)"
        ),
        (
            head + "$TTL soon\n",
            "bad.zone:4:6: bad TTL \"soon\" (expected seconds or units like 1h30m, at most 2147483647)"
        ),
        (head + "x A 192.0.2.256\n", "bad.zone:4:5: bad IPv4 address \"192.0.2.256\""),
        (head + "x A 192.0.2\n", "bad.zone:4:5: bad IPv4 address \"192.0.2\""),
        (head + "x A 2001:db8::1\n", "bad.zone:4:5: bad IPv4 address \"2001:db8::1\""),
        (head + "x AAAA 2001:db8::g\n", "bad.zone:4:8: bad IPv6 address \"2001:db8::g\""),
        (head + "x AAAA 2001:db8:::1\n", "bad.zone:4:8: bad IPv6 address \"2001:db8:::1\""),
        (head + "x AAAA 192.0.2.1\n", "bad.zone:4:8: bad IPv6 address \"192.0.2.1\""),
        (head + "x AAAA\n", "bad.zone:4:7: AAAA record needs an IPv6 address"),
        (head + "x SRV 0 0 x\n", "bad.zone:4:11: bad SRV port \"x\" (expected a number from 0 to 65535)"),
        (
            head + "x SRV 0 0 5060\n",
            "bad.zone:4:15: SRV record needs its fields: SRV priority, SRV weight, SRV port, target"
        ),
        (head + "x CAA 0 is-sue \"ca.example\"\n", "bad.zone:4:9: bad CAA tag \"is-sue\" (letters and digits only)"),
        (head + "x SSHFP 1 2 abc\n", "bad.zone:4:16: odd number of hex digits in SSHFP data"),
        (head + "x TLSA 3 1 1 0C7G\n", "bad.zone:4:14: \"0C7G\" is not hexadecimal"),
        (
            head + "x SRVV 0 0 0 x\n",
            "bad.zone:4:3: unknown record type \"SRVV\" (supported: A, AAAA, CNAME, NS, SOA, TXT, MX, PTR, SRV, CAA, TLSA, SSHFP, DS, HINFO, SPF, or TYPEnnn with \\# data)"
        ),
        (head + "x\n", "bad.zone:4:2: record has no type"),
        (head + "x CH A 192.0.2.1\n", "bad.zone:4:3: class CH is not supported (only IN)"),
        (head + "$ORIGIN\n", "bad.zone:4:8: $ORIGIN needs a domain name"),
        (head + "$TTL\n", "bad.zone:4:5: $TTL needs a TTL value"),
        (
            head + "$INCLUDE other.zone\n",
            "bad.zone:4:1: $INCLUDE is not supported; put the records it would read into this file"
        ),
        (
            head + "$GENERATE 1-10 host$ A 192.0.2.$\n",
            "bad.zone:4:1: $GENERATE is not supported; put the records it would read into this file"
        ),
        (head + "$FOO bar\n", "bad.zone:4:1: unknown directive $FOO (expected $ORIGIN or $TTL)"),
        (head + "$TTL 300 600\n", "bad.zone:4:10: unexpected \"600\" after the end of the record"),
        (
            head + "bad\u{7}bell A 192.0.2.1\n",
            "bad.zone:4:1: domain name \"bad\u{7}bell\" contains the byte 0x7; write it as \\007"
        ),
        (
            head + "caf\u{e9} A 192.0.2.1\n",
            "bad.zone:4:1: domain name \"caf\u{e9}\" contains the byte 0xc3; write it as \\195"
        ),
        (head + "a..b A 192.0.2.1\n", "bad.zone:4:1: bad domain name \"a..b\": empty label in domain name"),
        (
            head + "\(String(repeating: "l", count: 64)) A 192.0.2.1\n",
            "bad.zone:4:1: bad domain name \"\(String(repeating: "l", count: 64))\": label of 64 bytes (at most 63 allowed)"
        ),
        (
            head + "x CNAME \"quoted.example.\"\n",
            "bad.zone:4:9: expected a domain name, found the quoted string \"quoted.example.\""
        ),
        (head + "x TXT \"\\999\"\n", "bad.zone:4:7: bad escape in \"\\999\" (\\DDD must be 000 to 255)"),
        (
            head + "x TXT \"\(String(repeating: "y", count: 256))\"\n",
            "bad.zone:4:7: character string of 256 bytes (at most 255 allowed)"
        ),
        (head + "x TXT\n", "bad.zone:4:6: TXT record needs at least one character string"),
        (head + "x MX ten mail\n", "bad.zone:4:6: bad MX preference \"ten\" (expected a number from 0 to 65535)"),
        (head + "x MX 10\n", "bad.zone:4:8: MX record needs its fields: MX preference, mail exchange"),
        (head + "x TYPE65534 abcdef\n", "bad.zone:4:13: TYPE65534 data must be written as \\# length hex (RFC 3597)"),
        (head + "x TYPE65534 \\# 3 abcd\n", "bad.zone:4:16: bad \\# data: length 3 needs 6 hex digits, found 4"),
        (head + "x TYPE65534 \\# 2 zz\n", "bad.zone:4:18: bad \\# data: \"zz\" is not hexadecimal"),
        (head + "x TYPE1 \\# 3 c00002\n", "bad.zone:4:12: bad \\# data: not valid A data"),
        (
            head + "x TYPE70000 \\# 0\n",
            "bad.zone:4:3: unknown record type \"TYPE70000\" (supported: A, AAAA, CNAME, NS, SOA, TXT, MX, PTR, SRV, CAA, TLSA, SSHFP, DS, HINFO, SPF, or TYPEnnn with \\# data)"
        ),
        (head + "x A 192.0.2.1 extra\n", "bad.zone:4:15: unexpected \"extra\" after the end of the record"),
        (
            head + "@ SOA ns hostmaster 2 3600 900 604800 300\n",
            "bad.zone:4:1: second SOA record (the first is on line 2)"
        ),
        (
            "$TTL 300\nsub SOA ns hostmaster 2 3600 900 604800 300\n",
            "bad.zone:2:1: SOA record for sub.example.com. is not at the zone origin example.com."
        ),
        (head + "www.example.org. A 192.0.2.1\n", "bad.zone:4:1: www.example.org. is outside the zone example.com."),
        ("$TTL 300\n@ NS ns\n", "bad.zone:1:1: zone example.com. has no SOA record"),
        (
            " A 192.0.2.1\n",
            "bad.zone:1:2: record has no owner name: the line starts with a blank and no record precedes it"
        ),
        ("x A 192.0.2.1\n", "bad.zone:1:1: record has no TTL: give one or put a $TTL line before it"),
        (
            head + "@ SOA ns hostmaster 99999999999 3600 900 604800 300\n",
            "bad.zone:4:21: bad SOA serial \"99999999999\" (expected a number from 0 to 4294967295)"
        ),
        (
            head + "@ SOA ns hostmaster 1 3600\n",
            "bad.zone:4:27: SOA record needs a primary server, a contact mailbox, a serial and four timers (refresh, retry, expire, minimum)"
        ),
    ]

    @Test(arguments: cases)
    func reportsWhereAndWhat(text: String, message: String) throws {
        let origin = try DNSName("example.com.")
        let error = try #require(throws: ZoneFileError.self) {
            try ZoneFile.parse(Array(text.utf8), path: "bad.zone", origin: origin)
        }
        #expect(error.description == message)
    }

    @Test func anRDATAErrorInsideParenthesesPointsAtItsOwnLine() throws {
        let text = Self.head + "x ( A\n  192.0.2.300 )\n"
        let error = try #require(throws: ZoneFileError.self) {
            try ZoneFile.parse(Array(text.utf8), path: "bad.zone", origin: try DNSName("example.com."))
        }
        #expect(error == ZoneFileError(path: "bad.zone", line: 5, column: 3, reason: .badIPv4("192.0.2.300")))
    }
}
