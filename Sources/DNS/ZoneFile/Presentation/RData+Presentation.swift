import Digests

extension RData {
    /// The RDATA as a zone file writes it for a record of `type`: typed where this module
    /// knows the type's text form (see ``ZoneFile``), else RFC 3597
    /// `\# length hex`.
    public func presentation(as type: RecordType) -> String {
        switch self {
        case .a(let address): return address.description
        case .aaaa(let address): return address.description
        case .cname(let name), .ns(let name): return name.description
        case .soa(let soa):
            return
                "\(soa.mname) \(soa.rname) \(soa.serial) \(soa.refresh) \(soa.retry) \(soa.expire) \(soa.minimum)"
        case .txt(let strings): return strings.map(Self.quoted).joined(separator: " ")
        case .opaque(let bytes):
            if let text = ZoneFileOpaqueTypes.presentation(type, bytes) { return text }
            return bytes.isEmpty ? "\\# 0" : "\\# \(bytes.count) \(HexDigest.hex(bytes, uppercase: true))"
        }
    }

    /// A character-string in quotes: `"` and `\` escaped, bytes outside printable ASCII as
    /// `\DDD`, so the text is plain ASCII whatever the bytes.
    static func quoted(_ string: [UInt8]) -> String {
        var out = "\""
        for byte in string {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out += "\\" + String(UnicodeScalar(byte))
            case 0x20...0x7E:
                out.unicodeScalars.append(UnicodeScalar(byte))
            default:
                out += ZoneFileText.decimalEscape(byte)
            }
        }
        return out + "\""
    }
}
