import Digests

/// Record types the model keeps as wire bytes (`RData.opaque`) but zone files write as text:
/// each is a sequence of fields, read from text into wire form and printed back from it.
/// Names inside are uncompressed with their case kept.
enum ZoneFileOpaqueTypes {
    enum Field {
        case uint8(String)
        case uint16(String)
        case name(String)
        case characterString
        /// One or more character-strings to the end (SPF).
        case characterStrings
        /// CAA tag: 1 to 255 letters and digits, length-prefixed.
        case tag
        /// CAA value: the rest of the RDATA, not length-prefixed.
        case value
        /// Hexadecimal to the end, possibly split into several words.
        case hex
    }

    static let shapes: [RecordType: [Field]] = [
        .mx: [.uint16("MX preference"), .name("mail exchange")],
        .ptr: [.name("target name")],
        RecordType(rawValue: 33): [
            .uint16("SRV priority"), .uint16("SRV weight"), .uint16("SRV port"), .name("target"),
        ],
        RecordType(rawValue: 257): [.uint8("CAA flags"), .tag, .value],
        RecordType(rawValue: 52): [.uint8("TLSA usage"), .uint8("TLSA selector"), .uint8("TLSA matching type"), .hex],
        RecordType(rawValue: 44): [.uint8("SSHFP algorithm"), .uint8("SSHFP fingerprint type"), .hex],
        RecordType(rawValue: 43): [.uint16("DS key tag"), .uint8("DS algorithm"), .uint8("DS digest type"), .hex],
        RecordType(rawValue: 13): [.characterString, .characterString],
        RecordType(rawValue: 99): [.characterStrings],
    ]

    /// Reads the fields of `type` from text into wire bytes.
    static func parse(
        _ type: RecordType, shape: [Field], fields: inout ZoneFileFields, origin: DNSName
    ) throws(ZoneFileError) -> [UInt8] {
        let typeName = ZoneFileTypes.mnemonic(type)
        let missing = ZoneFileError.Reason.missingRData(type: typeName, expected: "its fields: " + describe(shape))
        var out: [UInt8] = []
        for field in shape {
            switch field {
            case .uint8(let label):
                out.append(UInt8(try fields.number(try fields.next(or: missing), field: label, maximum: 255)))
            case .uint16(let label):
                let value = try fields.number(try fields.next(or: missing), field: label, maximum: 65535)
                out += [UInt8(value >> 8), UInt8(value & 0xFF)]
            case .name:
                out += ZoneFileWire.encode(try fields.name(try fields.next(or: missing), origin: origin))
            case .characterString:
                let string = try fields.characterString(try fields.next(or: missing))
                out += [UInt8(string.count)] + string
            case .characterStrings:
                guard !fields.atEnd else { throw fields.missing(missing) }
                while let token = fields.current {
                    let string = try fields.characterString(token)
                    out += [UInt8(string.count)] + string
                    fields.position += 1
                }
            case .tag:
                let token = try fields.next(or: missing)
                let tag = Array(fields.bytes[token.content])
                guard token.kind == .word, !tag.isEmpty, tag.count <= 255, tag.allSatisfy(isAlphanumeric) else {
                    throw fields.error(
                        .badRData("bad CAA tag \"\(fields.text(token))\" (letters and digits only)"), at: token)
                }
                out += [UInt8(tag.count)] + tag
            case .value:
                let token = try fields.next(or: missing)
                guard let value = ZoneFileFields.unescape(fields.bytes[token.content]) else {
                    throw fields.error(.badEscape(fields.text(token)), at: token)
                }
                out += value
            case .hex:
                guard !fields.atEnd else { throw fields.missing(missing) }
                var digits: [UInt8] = []
                while let token = fields.current {
                    for byte in fields.bytes[token.content] {
                        guard token.kind == .word, let nibble = ZoneFileRDataParser.hexValue(byte) else {
                            throw fields.error(
                                .badRData("\"\(fields.text(token))\" is not hexadecimal"), at: token)
                        }
                        digits.append(nibble)
                    }
                    fields.position += 1
                }
                guard digits.count % 2 == 0 else {
                    throw fields.missing(.badRData("odd number of hex digits in \(typeName) data"))
                }
                for pair in stride(from: 0, to: digits.count, by: 2) {
                    out.append(digits[pair] << 4 | digits[pair + 1])
                }
            }
        }
        return out
    }

    /// The text form of `bytes` for `type`; nil when the type has no shape here or the bytes
    /// do not fit it.
    static func presentation(_ type: RecordType, _ bytes: [UInt8]) -> String? {
        guard let shape = shapes[type] else { return nil }
        var parts: [String] = []
        var offset = 0
        for field in shape {
            switch field {
            case .uint8:
                guard offset < bytes.count else { return nil }
                parts.append(String(bytes[offset]))
                offset += 1
            case .uint16:
                guard offset + 2 <= bytes.count else { return nil }
                parts.append(String(UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])))
                offset += 2
            case .name:
                guard let name = ZoneFileWire.decodeName(bytes, at: &offset) else { return nil }
                parts.append(name.description)
            case .characterString, .characterStrings, .tag:
                repeat {
                    guard offset < bytes.count, offset + 1 + Int(bytes[offset]) <= bytes.count else { return nil }
                    let string = Array(bytes[(offset + 1)..<(offset + 1 + Int(bytes[offset]))])
                    offset += 1 + string.count
                    if case .tag = field {
                        guard !string.isEmpty, string.allSatisfy(isAlphanumeric) else { return nil }
                        parts.append(String(decoding: string, as: UTF8.self))
                    } else {
                        parts.append(RData.quoted(string))
                    }
                } while field.isRepeated && offset < bytes.count
            case .value:
                parts.append(RData.quoted(Array(bytes[offset...])))
                offset = bytes.count
            case .hex:
                guard offset < bytes.count else { return nil }
                parts.append(HexDigest.hex(bytes[offset...], uppercase: true))
                offset = bytes.count
            }
        }
        return offset == bytes.count ? parts.joined(separator: " ") : nil
    }

    static func describe(_ shape: [Field]) -> String {
        shape.map { field in
            switch field {
            case .uint8(let label), .uint16(let label), .name(let label): label
            case .characterString, .characterStrings: "character string"
            case .tag: "tag"
            case .value: "value"
            case .hex: "hexadecimal data"
            }
        }.joined(separator: ", ")
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
    }
}

extension ZoneFileOpaqueTypes.Field {
    var isRepeated: Bool {
        if case .characterStrings = self { return true }
        return false
    }
}
