import Foundation
import TestSupport
import Testing

@testable import DNS

extension SerializedDNSTests {
    @Suite(.serialized)
    struct AXFRTests {
        static let origin = "bulk.test"
        static let zone = WireSample.name("bulk.test.")

        /// What named-compilezone says the zone file holds, parsed into records.
        static func compiledRecords(of zoneFile: String) throws -> Set<ResourceRecord> {
            let compile = try ServerBinary.require("named-compilezone")
            // Through a file: the output is larger than ChildProcess captures.
            let outputFile = zoneFile + ".compiled"
            try ChildProcess.check([compile, "-q", "-o", outputFile, origin, zoneFile], timeout: 120)
            let output = try String(contentsOfFile: outputFile, encoding: .utf8)
            var records = Set<ResourceRecord>()
            for line in output.split(separator: "\n") where !line.hasPrefix(";") {
                records.insert(try CompiledZoneLine.parse(String(line)))
            }
            return records
        }

        @Test func transferOfFiftyThousandRecordsEqualsNamedCompilezone() async throws {
            let named = try NamedServer(zones: [
                NamedServer.Zone(
                    name: Self.origin, contents: NamedServer.generatedZone(origin: Self.origin, vhosts: 18_000))
            ])
            defer { named.stop() }
            let expected = try Self.compiledRecords(of: try #require(named.zoneFilePath(Self.origin)))
            #expect(expected.count >= 50_000)

            // What this checks is the records, not speed: a generous idle timeout, since named
            // serving 50,000 records to a debug build on a loaded 2-core CI machine once went
            // quiet for over 10 s.
            let client = try NamedFixture.client(named, timeout: .seconds(60))
            let unsigned = try await client.transferZone(Self.zone, key: nil)
            #expect(unsigned.serial == 2_024_010_101)
            #expect(unsigned.records.count == expected.count)
            #expect(Set(unsigned.records) == expected)
            #expect(unsigned.messageCount > 1)

            for algorithm in TSIGAlgorithm.allCases {
                let signed = try await client.transferZone(Self.zone, key: try NamedFixture.key(named, algorithm))
                #expect(Set(signed.records) == expected, "signed with \(algorithm)")
            }
        }

        @Test func refusedTransferIsDistinguishable() async throws {
            let named = try NamedServer(zones: [
                NamedServer.Zone(name: "example.test", contents: NamedFixture.smallZone(), allowTransfer: .nobody)
            ])
            defer { named.stop() }
            let client = try NamedFixture.client(named)
            await #expect {
                _ = try await client.transferZone(NamedFixture.zone, key: nil)
            } throws: { error in
                guard case DNSError.refused = error else { return false }
                return true
            }
            // Queries still work: the caller's fallback.
            #expect(try await client.query(WireSample.name("www.example.test."), .a).answers.count == 2)
        }

        @Test func transferWithWrongSecretIsRejected() async throws {
            let named = try NamedServer(zones: [
                NamedServer.Zone(name: "example.test", contents: NamedFixture.smallZone(), allowTransfer: .keysOnly)
            ])
            defer { named.stop() }
            let client = try NamedFixture.client(named)
            let real = try NamedFixture.key(named, .hmacSHA256)
            let wrong = TSIGKey(name: real.name, algorithm: real.algorithm, secret: Array(repeating: 0x42, count: 32))
            await #expect {
                _ = try await client.transferZone(NamedFixture.zone, key: wrong)
            } throws: { error in
                guard case DNSError.badSignature(_, let key) = error else { return false }
                return key == real.name && "\(error)".contains("secret")
            }
            let good = try await client.transferZone(NamedFixture.zone, key: real)
            #expect(good.records.contains { $0.type == .aaaa })
            await #expect(throws: DNSError.self) { _ = try await client.transferZone(NamedFixture.zone, key: nil) }
        }
    }
}

/// One line of `named-compilezone -o -` output: `owner TTL CLASS TYPE RDATA`.
enum CompiledZoneLine {
    struct Unparsable: Error { let line: String }

    static func parse(_ line: String) throws -> ResourceRecord {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count >= 5, let ttl = UInt32(fields[1]), fields[2] == "IN",
            let type = RecordType(mnemonic: fields[3])
        else { throw Unparsable(line: line) }
        let name = try DNSName(fields[0])
        let rdata = Array(fields[4...])
        let data: RData
        switch type {
        case .a: data = .a(try value(IPv4Bytes(rdata[0]), line))
        case .aaaa: data = .aaaa(try value(IPv6Bytes(rdata[0]), line))
        case .cname: data = .cname(try DNSName(rdata[0]))
        case .ns: data = .ns(try DNSName(rdata[0]))
        case .soa:
            let n = try rdata[2...6].map { try value(UInt32($0), line) }
            data = .soa(
                SOA(
                    mname: try DNSName(rdata[0]), rname: try DNSName(rdata[1]), serial: n[0], refresh: n[1],
                    retry: n[2],
                    expire: n[3], minimum: n[4]))
        case .txt: data = .txt(quotedStrings(line.drop(while: { $0 != "\"" })))
        default: throw Unparsable(line: line)
        }
        return ResourceRecord(name: name, type: type, ttl: ttl, data: data)
    }

    static func value<T>(_ v: T?, _ line: String) throws -> T {
        guard let v else { throw Unparsable(line: line) }
        return v
    }

    /// `"a b" "c\"d"` -> byte strings (the generated zones use only `\"` escapes).
    static func quotedStrings(_ text: Substring) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var current: [UInt8]?
        var escaped = false
        for b in text.utf8 {
            if var c = current {
                if escaped {
                    c.append(b)
                    escaped = false
                    current = c
                } else if b == UInt8(ascii: "\\") {
                    escaped = true
                } else if b == UInt8(ascii: "\"") {
                    out.append(c)
                    current = nil
                } else {
                    c.append(b)
                    current = c
                }
            } else if b == UInt8(ascii: "\"") {
                current = []
            }
        }
        return out
    }
}
