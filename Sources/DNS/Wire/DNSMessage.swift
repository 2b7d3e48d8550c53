/// A DNS message (RFC 1035 §4.1). In an UPDATE (RFC 2136 §2) the sections are read as zone,
/// prerequisites, updates and additional. A TSIG record (RFC 8945), which must come last, is
/// kept apart in ``tsig`` so the signed bytes can be rebuilt exactly.
public struct DNSMessage: Hashable, Sendable {
    public var header: DNSHeader
    public var questions: [DNSQuestion]
    public var answers: [ResourceRecord]
    public var authority: [ResourceRecord]
    public var additional: [ResourceRecord]
    /// The transaction signature, written as the last additional record.
    public var tsig: TSIGRecord?

    public init(
        header: DNSHeader, questions: [DNSQuestion] = [], answers: [ResourceRecord] = [],
        authority: [ResourceRecord] = [], additional: [ResourceRecord] = [], tsig: TSIGRecord? = nil
    ) {
        self.header = header
        self.questions = questions
        self.answers = answers
        self.authority = authority
        self.additional = additional
        self.tsig = tsig
    }

    /// Smallest possible sizes, used to reject lying counts before allocating.
    static let minimumQuestionSize = 5
    static let minimumRecordSize = 11

    /// The wire form, with names compressed (owner names, and names inside NS/CNAME/SOA).
    public func encode() -> [UInt8] {
        var writer = WireWriter(capacity: 512)
        writer.u16(header.id)
        writer.u16(header.flags)
        writer.u16(UInt16(clamping: questions.count))
        writer.u16(UInt16(clamping: answers.count))
        writer.u16(UInt16(clamping: authority.count))
        writer.u16(UInt16(clamping: additional.count + (tsig == nil ? 0 : 1)))
        for q in questions {
            writer.name(q.name)
            writer.u16(q.type.rawValue)
            writer.u16(q.rclass.rawValue)
        }
        for record in answers { Self.encode(record, to: &writer) }
        for record in authority { Self.encode(record, to: &writer) }
        for record in additional { Self.encode(record, to: &writer) }
        var bytes = writer.bytes
        if let tsig { tsig.appendRecord(to: &bytes) }
        return bytes
    }

    static func encode(_ record: ResourceRecord, to writer: inout WireWriter) {
        writer.name(record.name)
        writer.u16(record.type.rawValue)
        writer.u16(record.rclass.rawValue)
        writer.u32(record.ttl)
        let lengthAt = writer.count
        writer.u16(0)
        record.data.encode(to: &writer)
        writer.patch16(at: lengthAt, UInt16(clamping: writer.count - lengthAt - 2))
    }

    /// Decodes a whole message. Strict: counts must match the records present, nothing may
    /// follow the last record, names are bounded, and compression pointers must point back.
    public static func decode(_ bytes: [UInt8]) throws(DNSWireError) -> DNSMessage {
        try decodeLocatingTSIG(bytes).message
    }

    /// Decodes and also returns where the TSIG record starts (for MAC verification).
    static func decodeLocatingTSIG(_ bytes: [UInt8]) throws(DNSWireError) -> (message: DNSMessage, tsigOffset: Int?) {
        var reader = WireReader(bytes)
        let id = try reader.u16("header ID")
        let flags = try reader.u16("header flags")
        let qd = Int(try reader.u16("QDCOUNT"))
        let an = Int(try reader.u16("ANCOUNT"))
        let ns = Int(try reader.u16("NSCOUNT"))
        let ar = Int(try reader.u16("ARCOUNT"))
        guard qd * minimumQuestionSize <= reader.remaining else {
            throw .countExceedsMessage(section: "question", count: qd, offset: reader.offset)
        }
        var message = DNSMessage(header: DNSHeader(id: id, flags: flags))
        message.questions.reserveCapacity(qd)
        for _ in 0..<qd {
            let name = try reader.name("question name")
            let type = RecordType(rawValue: try reader.u16("question type"))
            let rclass = RecordClass(rawValue: try reader.u16("question class"))
            message.questions.append(DNSQuestion(name: name, type: type, rclass: rclass))
        }
        guard (an + ns + ar) * minimumRecordSize <= reader.remaining else {
            throw .countExceedsMessage(
                section: "answer/authority/additional", count: an + ns + ar, offset: reader.offset)
        }
        message.answers = try records(an, from: &reader)
        message.authority = try records(ns, from: &reader)
        var tsigOffset: Int?
        message.additional.reserveCapacity(ar)
        for index in 0..<ar {
            let start = reader.offset
            let name = try reader.name("record owner")
            let type = RecordType(rawValue: try reader.u16("record type"))
            if type == .tsig {
                guard index == ar - 1 else { throw .misplacedTSIG(offset: start) }
                message.tsig = try TSIGRecord.decode(keyName: name, from: &reader)
                tsigOffset = start
            } else {
                message.additional.append(try record(name: name, type: type, from: &reader))
            }
        }
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining, offset: reader.offset) }
        return (message, tsigOffset)
    }

    private static func records(_ count: Int, from reader: inout WireReader) throws(DNSWireError) -> [ResourceRecord] {
        var out: [ResourceRecord] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            let start = reader.offset
            let name = try reader.name("record owner")
            let type = RecordType(rawValue: try reader.u16("record type"))
            guard type != .tsig else { throw .misplacedTSIG(offset: start) }
            out.append(try record(name: name, type: type, from: &reader))
        }
        return out
    }

    private static func record(name: DNSName, type: RecordType, from reader: inout WireReader) throws(DNSWireError)
        -> ResourceRecord
    {
        let rclass = RecordClass(rawValue: try reader.u16("record class"))
        let ttl = try reader.u32("record TTL")
        let length = Int(try reader.u16("RDLENGTH"))
        let data = try RData.decode(type: type, rclass: rclass, length: length, from: &reader)
        return ResourceRecord(name: name, type: type, rclass: rclass, ttl: ttl, data: data)
    }
}
