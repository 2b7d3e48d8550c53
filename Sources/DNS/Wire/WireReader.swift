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

    /// The last name read that began with a label, and where: a later name that is only a
    /// pointer to that spot (the next record of the same owner, as servers compress it) is
    /// the same name, and shares its storage instead of being decoded again.
    private var lastName: (start: Int, name: DNSName)?

    /// Reads a possibly compressed name. Each pointer must target a byte before the start of
    /// the label run that contains it, so the walk strictly moves backwards and ends.
    mutating func name(_ what: String = "domain name") throws(DNSWireError) -> DNSName {
        let nameStart = offset
        if let last = lastName, nameStart + 1 < bytes.count, bytes[nameStart] & 0xC0 == 0xC0,
            (Int(bytes[nameStart] & 0x3F) << 8 | Int(bytes[nameStart + 1])) == last.start, last.start < nameStart
        {
            offset = nameStart + 2
            return last.name
        }
        // The walk checks everything and measures the name; the bytes are then copied once.
        var position = offset
        var runStart = offset
        var jumped = false
        var wireLength = 1
        while true {
            guard position < bytes.count else { throw .truncated(what: what, offset: position) }
            let length = Int(bytes[position])
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    if !jumped { offset = position + 1 }
                    let name = DNSName(wire: copyName(from: nameStart, wireLength: wireLength - 1))
                    if bytes[nameStart] & 0xC0 == 0 { lastName = (nameStart, name) }
                    return name
                }
                guard position + 1 + length <= bytes.count else { throw .truncated(what: what, offset: position) }
                wireLength += 1 + length
                guard wireLength <= DNSName.maxWireLength else { throw .nameTooLong(offset: nameStart) }
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

    /// The labels of the name at `start`, already checked by ``name(_:)``, following
    /// pointers, as one array of `count` bytes without the root byte.
    private func copyName(from start: Int, wireLength count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            var position = start
            var written = 0
            while written < count {
                let length = Int(bytes[position])
                if length & 0xC0 == 0xC0 {
                    position = (length & 0x3F) << 8 | Int(bytes[position + 1])
                    continue
                }
                for k in 0...length { out[written + k] = bytes[position + k] }
                written += 1 + length
                position += 1 + length
            }
            initialized = count
        }
    }
}
