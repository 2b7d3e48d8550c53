/// Uncompressed wire forms of names, and typed data from RFC 3597 `\#` bytes.
enum ZoneFileWire {
    /// A name as length-prefixed labels and the root byte, case kept.
    static func encode(_ name: DNSName) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(name.wireLength)
        for label in name.labels {
            out.append(UInt8(label.count))
            out += label
        }
        out.append(0)
        return out
    }

    /// Reads an uncompressed name at `offset`, advancing it; nil when malformed.
    static func decodeName(_ bytes: [UInt8], at offset: inout Int) -> DNSName? {
        var labels: [[UInt8]] = []
        while true {
            guard offset < bytes.count else { return nil }
            let length = Int(bytes[offset])
            offset += 1
            if length == 0 { break }
            guard length <= DNSName.maxLabelLength, offset + length <= bytes.count else { return nil }
            labels.append(Array(bytes[offset..<(offset + length)]))
            offset += length
        }
        return try? DNSName(labels: labels)
    }

    static func decodeUInt32(_ bytes: [UInt8], at offset: inout Int) -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        let value = bytes[offset..<(offset + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        offset += 4
        return value
    }

    /// A name filling all of `bytes` (PTR, CNAME, NS RDATA); nil when malformed.
    static func decodeWholeName(_ bytes: [UInt8]) -> DNSName? {
        var offset = 0
        guard let name = decodeName(bytes, at: &offset), offset == bytes.count else { return nil }
        return name
    }

    /// Typed data from RFC 3597 bytes for the types the model types; nil when malformed.
    /// Types kept opaque come back as `.opaque`.
    static func typedData(_ type: RecordType, from bytes: [UInt8]) -> RData? {
        switch type {
        case .a:
            return IPv4Bytes(bytes).map(RData.a)
        case .aaaa:
            return IPv6Bytes(bytes).map(RData.aaaa)
        case .cname:
            return decodeWholeName(bytes).map(RData.cname)
        case .ns:
            return decodeWholeName(bytes).map(RData.ns)
        case .soa:
            var offset = 0
            guard let mname = decodeName(bytes, at: &offset), let rname = decodeName(bytes, at: &offset),
                bytes.count - offset == 20
            else { return nil }
            var numbers: [UInt32] = []
            for _ in 0..<5 {
                guard let value = decodeUInt32(bytes, at: &offset) else { return nil }
                numbers.append(value)
            }
            return .soa(
                SOA(
                    mname: mname, rname: rname, serial: numbers[0], refresh: numbers[1], retry: numbers[2],
                    expire: numbers[3], minimum: numbers[4]))
        case .txt:
            var strings: [[UInt8]] = []
            var offset = 0
            while offset < bytes.count {
                let length = Int(bytes[offset])
                guard offset + 1 + length <= bytes.count else { return nil }
                strings.append(Array(bytes[(offset + 1)..<(offset + 1 + length)]))
                offset += 1 + length
            }
            return strings.isEmpty ? nil : .txt(strings)
        default:
            if ZoneFileOpaqueTypes.shapes[type] != nil {
                return ZoneFileOpaqueTypes.presentation(type, bytes) == nil ? nil : .opaque(bytes)
            }
            return .opaque(bytes)
        }
    }
}
