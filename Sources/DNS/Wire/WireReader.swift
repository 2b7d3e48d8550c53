/// A cursor over a whole message that never reads past its end and never follows a
/// compression pointer that does not go strictly backwards, so every decode terminates.
struct WireReader {
    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func u8(_ what: String) throws(DNSWireError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(what: what, offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16(_ what: String) throws(DNSWireError) -> UInt16 {
        guard offset + 2 <= bytes.count else { throw .truncated(what: what, offset: offset) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32(_ what: String) throws(DNSWireError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw .truncated(what: what, offset: offset) }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    mutating func u48(_ what: String) throws(DNSWireError) -> UInt64 {
        let high = try u16(what)
        let low = try u32(what)
        return UInt64(high) << 32 | UInt64(low)
    }

    mutating func take(_ count: Int, _ what: String) throws(DNSWireError) -> [UInt8] {
        guard count >= 0, offset + count <= bytes.count else { throw .truncated(what: what, offset: offset) }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// Reads a possibly compressed name. Each pointer must target a byte before the start of
    /// the label run that contains it, so the walk strictly moves backwards and ends.
    mutating func name(_ what: String = "domain name") throws(DNSWireError) -> DNSName {
        var labels: [[UInt8]] = []
        var position = offset
        var runStart = offset
        var jumped = false
        var wireLength = 1
        let nameStart = offset
        while true {
            guard position < bytes.count else { throw .truncated(what: what, offset: position) }
            let length = Int(bytes[position])
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    if !jumped { offset = position + 1 }
                    return DNSName(uncheckedLabels: labels)
                }
                guard position + 1 + length <= bytes.count else { throw .truncated(what: what, offset: position) }
                wireLength += 1 + length
                guard wireLength <= DNSName.maxWireLength else { throw .nameTooLong(offset: nameStart) }
                labels.append(Array(bytes[(position + 1)..<(position + 1 + length)]))
                position += 1 + length
            case 0xC0:
                guard position + 1 < bytes.count else { throw .truncated(what: what, offset: position) }
                let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < runStart else { throw .badCompressionPointer(target: target, offset: position) }
                if !jumped {
                    offset = position + 2
                    jumped = true
                }
                runStart = target
                position = target
            default:
                throw .unsupportedLabelType(byte: UInt8(length), offset: position)
            }
        }
    }
}
