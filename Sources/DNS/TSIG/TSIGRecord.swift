/// The RDATA of a TSIG record (RFC 8945 §4.2) plus its owner, the key name.
public struct TSIGRecord: Hashable, Sendable {
    public var keyName: DNSName
    public var algorithm: DNSName
    /// Seconds since the epoch, 48 bits.
    public var timeSigned: UInt64
    public var fudge: UInt16
    public var mac: [UInt8]
    public var originalID: UInt16
    /// NOERROR, or BADSIG/BADKEY/BADTIME/BADTRUNC from the server.
    public var error: DNSResponseCode
    public var otherData: [UInt8]

    public init(
        keyName: DNSName, algorithm: DNSName, timeSigned: UInt64, fudge: UInt16, mac: [UInt8],
        originalID: UInt16, error: DNSResponseCode = .noError, otherData: [UInt8] = []
    ) {
        self.keyName = keyName
        self.algorithm = algorithm
        self.timeSigned = timeSigned
        self.fudge = fudge
        self.mac = mac
        self.originalID = originalID
        self.error = error
        self.otherData = otherData
    }

    /// Reads class, TTL and RDATA after the owner name and type have been read.
    static func decode(keyName: DNSName, from reader: inout WireReader) throws(DNSWireError) -> TSIGRecord {
        _ = try reader.u16("TSIG class")
        _ = try reader.u32("TSIG TTL")
        let length = Int(try reader.u16("TSIG RDLENGTH"))
        let start = reader.offset
        guard start + length <= reader.bytes.count else { throw .truncated(what: "TSIG RDATA", offset: start) }
        let algorithm = try reader.name("TSIG algorithm")
        let time = try reader.u48("TSIG time signed")
        let fudge = try reader.u16("TSIG fudge")
        let macSize = Int(try reader.u16("TSIG MAC size"))
        let mac = try reader.take(macSize, "TSIG MAC")
        let originalID = try reader.u16("TSIG original ID")
        let error = DNSResponseCode(rawValue: try reader.u16("TSIG error"))
        let otherLength = Int(try reader.u16("TSIG other length"))
        let other = try reader.take(otherLength, "TSIG other data")
        guard reader.offset == start + length else {
            throw .badRDataLength(type: .tsig, length: length, offset: start)
        }
        return TSIGRecord(
            keyName: keyName, algorithm: algorithm, timeSigned: time, fudge: fudge, mac: mac,
            originalID: originalID, error: error, otherData: other)
    }

    /// Appends the whole record, uncompressed as RFC 8945 §4.2 requires.
    func appendRecord(to bytes: inout [UInt8]) {
        var w = WireWriter(capacity: 128)
        w.name(keyName, compress: false)
        w.u16(RecordType.tsig.rawValue)
        w.u16(RecordClass.any.rawValue)
        w.u32(0)
        let lengthAt = w.count
        w.u16(0)
        w.name(algorithm, compress: false)
        w.u48(timeSigned)
        w.u16(fudge)
        w.u16(UInt16(clamping: mac.count))
        w.append(mac)
        w.u16(originalID)
        w.u16(error.rawValue)
        w.u16(UInt16(clamping: otherData.count))
        w.append(otherData)
        w.patch16(at: lengthAt, UInt16(clamping: w.count - lengthAt - 2))
        bytes.append(contentsOf: w.bytes)
    }

    /// The "TSIG variables" of RFC 8945 §4.3.3: everything of the record but the MAC and
    /// original ID, names in canonical (lowercase, uncompressed) form.
    var digestVariables: [UInt8] {
        var out: [UInt8] = []
        WireWriter.appendUncompressed(keyName, to: &out, lowercase: true)
        var w = WireWriter(capacity: 64)
        w.u16(RecordClass.any.rawValue)
        w.u32(0)
        out += w.bytes
        WireWriter.appendUncompressed(algorithm, to: &out, lowercase: true)
        out += timers
        var tail = WireWriter(capacity: 16)
        tail.u16(error.rawValue)
        tail.u16(UInt16(clamping: otherData.count))
        tail.append(otherData)
        return out + tail.bytes
    }

    /// Time signed and fudge: all that subsequent AXFR messages digest (RFC 8945 §5.3.1).
    var timers: [UInt8] {
        var w = WireWriter(capacity: 8)
        w.u48(timeSigned)
        w.u16(fudge)
        return w.bytes
    }
}
