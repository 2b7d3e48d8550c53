import DNS
import Testing

/// Records grouped by owner name, as a zone snapshot looks them up: each name's records in
/// the order they came, wherever they came in the stream.
@Suite struct RecordsByOwnerTests {
    static func record(_ name: String, _ last: UInt8) throws -> ResourceRecord {
        let address = try #require(IPv4Bytes([192, 0, 2, last]))
        return ResourceRecord(name: try DNSName(name), type: .a, ttl: 300, data: .a(address))
    }

    @Test func groupsRecordsThatCameTogether() throws {
        let records = [
            try Self.record("a.example.", 1), try Self.record("a.example.", 2), try Self.record("b.example.", 3),
        ]
        let grouped = RecordsByOwner(records)
        #expect(grouped.grouped == records)
        #expect(Array(grouped.records(at: try DNSName("A.EXAMPLE."))) == Array(records[0..<2]))
        #expect(Array(grouped.records(at: try DNSName("b.example."))) == [records[2]])
        #expect(grouped.records(at: try DNSName("c.example.")).isEmpty)
    }

    @Test func keepsTheOrderOfANameThatComesBack() throws {
        let records = [
            try Self.record("a.example.", 1), try Self.record("b.example.", 2), try Self.record("A.example.", 3),
            try Self.record("c.example.", 4), try Self.record("b.example.", 5),
        ]
        let grouped = RecordsByOwner(records)
        #expect(grouped.grouped == [records[0], records[2], records[1], records[4], records[3]])
        #expect(Array(grouped.records(at: try DNSName("a.example."))) == [records[0], records[2]])
        #expect(Array(grouped.records(at: try DNSName("b.example."))) == [records[1], records[4]])
        #expect(Array(grouped.records(at: try DNSName("c.example."))) == [records[3]])
    }

    @Test func decodesOwnersCompressedToThePreviousOwner() throws {
        let records = [
            try Self.record("Host.example.", 1), try Self.record("Host.example.", 2),
            try Self.record("www.Host.example.", 3), try Self.record("Host.example.", 4),
        ]
        let message = DNSMessage(header: DNSHeader(id: 7), answers: records)
        let decoded = try DNSMessage.decode(message.encode())
        #expect(decoded.answers == records)
        #expect(decoded.answers.map(\.name.description) == records.map(\.name.description))
    }
}
