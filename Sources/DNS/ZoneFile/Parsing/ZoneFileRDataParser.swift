/// Reads the RDATA fields of one record, typed or in RFC 3597 `\#` form.
struct ZoneFileRDataParser {
    /// The data, and for an SOA the bytes of its serial (edited in place later).
    struct Parsed {
        let data: RData
        let serialRange: Range<Int>?
    }

    static func parse(
        _ type: RecordType, fields: inout ZoneFileFields, origin: DNSName
    ) throws(ZoneFileError) -> Parsed {
        let typeName = ZoneFileTypes.mnemonic(type)
        if let first = fields.current, first.kind == .word,
            fields.bytes[first.content].elementsEqual([ZoneFileLexer.backslash, UInt8(ascii: "#")])
        {
            fields.position += 1
            return Parsed(data: try generic(type, fields: &fields), serialRange: nil)
        }
        if let shape = ZoneFileOpaqueTypes.shapes[type] {
            let wire = try ZoneFileOpaqueTypes.parse(type, shape: shape, fields: &fields, origin: origin)
            return Parsed(data: .opaque(wire), serialRange: nil)
        }
        guard ZoneFileTypes.hasTypedForm(type) else {
            let token = try fields.next(or: .genericDataRequired(typeName))
            throw fields.error(.genericDataRequired(typeName), at: token)
        }
        switch type {
        case .a:
            let token = try fields.next(or: .missingRData(type: typeName, expected: "an IPv4 address"))
            guard token.kind == .word, let address = IPv4Bytes(fields.text(token)) else {
                throw fields.error(.badIPv4(fields.text(token)), at: token)
            }
            return Parsed(data: .a(address), serialRange: nil)
        case .aaaa:
            let token = try fields.next(or: .missingRData(type: typeName, expected: "an IPv6 address"))
            guard token.kind == .word, let address = IPv6Bytes(fields.text(token)) else {
                throw fields.error(.badIPv6(fields.text(token)), at: token)
            }
            return Parsed(data: .aaaa(address), serialRange: nil)
        case .cname, .ns:
            let token = try fields.next(or: .missingRData(type: typeName, expected: "a domain name"))
            let target = try fields.name(token, origin: origin)
            return Parsed(data: type == .cname ? .cname(target) : .ns(target), serialRange: nil)
        case .soa:
            return try soa(fields: &fields, origin: origin)
        default:
            // TXT, the last type with a typed form in the model.
            var strings: [[UInt8]] = []
            while let token = fields.current {
                strings.append(try fields.characterString(token))
                fields.position += 1
            }
            guard !strings.isEmpty else {
                throw fields.missing(.missingRData(type: typeName, expected: "at least one character string"))
            }
            return Parsed(data: .txt(strings), serialRange: nil)
        }
    }

    static func soa(fields: inout ZoneFileFields, origin: DNSName) throws(ZoneFileError) -> Parsed {
        let expected =
            "a primary server, a contact mailbox, a serial and four timers (refresh, retry, expire, minimum)"
        let missing = ZoneFileError.Reason.missingRData(type: "SOA", expected: expected)
        let mname = try fields.name(try fields.next(or: missing), origin: origin)
        let rname = try fields.name(try fields.next(or: missing), origin: origin)
        let serialToken = try fields.next(or: missing)
        let serial = try fields.number(serialToken, field: "SOA serial", maximum: UInt32.max)
        var timers: [UInt32] = []
        for _ in 0..<4 {
            timers.append(try fields.duration(try fields.next(or: missing)))
        }
        let soa = SOA(
            mname: mname, rname: rname, serial: serial, refresh: timers[0], retry: timers[1], expire: timers[2],
            minimum: timers[3])
        return Parsed(data: .soa(soa), serialRange: serialToken.content)
    }

    /// RFC 3597 §5: `\# length hex...`, the hex possibly split over several words.
    static func generic(_ type: RecordType, fields: inout ZoneFileFields) throws(ZoneFileError) -> RData {
        let lengthToken = try fields.next(or: .badGenericData("missing the data length"))
        let length = Int(try fields.number(lengthToken, field: "\\# data length", maximum: UInt32(UInt16.max)))
        var data: [UInt8] = []
        data.reserveCapacity(length)
        var pending: UInt8? = nil
        while let token = fields.current {
            for byte in fields.bytes[token.content] {
                guard token.kind == .word, let nibble = hexValue(byte) else {
                    throw fields.error(.badGenericData("\"\(fields.text(token))\" is not hexadecimal"), at: token)
                }
                if let high = pending {
                    data.append(high << 4 | nibble)
                    pending = nil
                } else {
                    pending = nibble
                }
            }
            fields.position += 1
        }
        guard pending == nil, data.count == length else {
            let digits = data.count * 2 + (pending == nil ? 0 : 1)
            throw fields.error(
                .badGenericData("length \(length) needs \(length * 2) hex digits, found \(digits)"), at: lengthToken)
        }
        guard let typed = ZoneFileWire.typedData(type, from: data) else {
            throw fields.error(.badGenericData("not valid \(type) data"), at: lengthToken)
        }
        return typed
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 65...70: byte - 55
        case 97...102: byte - 87
        default: nil
        }
    }
}
