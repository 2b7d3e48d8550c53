/// The record types a zone file may name by mnemonic; any other type is written `TYPEnnn`
/// with RFC 3597 `\#` data.
enum ZoneFileTypes {
    static let byMnemonic: [String: RecordType] = [
        "A": .a, "AAAA": .aaaa, "CNAME": .cname, "NS": .ns, "SOA": .soa, "TXT": .txt, "MX": .mx,
        "PTR": .ptr, "SRV": RecordType(rawValue: 33), "CAA": RecordType(rawValue: 257),
        "TLSA": RecordType(rawValue: 52), "SSHFP": RecordType(rawValue: 44), "DS": RecordType(rawValue: 43),
        "HINFO": RecordType(rawValue: 13), "SPF": RecordType(rawValue: 99),
    ]

    static let byCode: [RecordType: String] = Dictionary(
        uniqueKeysWithValues: byMnemonic.map { ($0.value, $0.key) })

    static let supportedList = "A, AAAA, CNAME, NS, SOA, TXT, MX, PTR, SRV, CAA, TLSA, SSHFP, DS, HINFO, SPF"

    /// The mnemonic zone files use for `type`, else `TYPEnnn`.
    static func mnemonic(_ type: RecordType) -> String {
        byCode[type] ?? "TYPE\(type.rawValue)"
    }

    /// The type a token names: a supported mnemonic or `TYPEnnn` (case-insensitive), else nil.
    static func type(named text: String) -> RecordType? {
        let upper = text.uppercased()
        if let type = byMnemonic[upper] { return type }
        guard upper.hasPrefix("TYPE") else { return nil }
        let digits = upper.dropFirst(4)
        guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let code = UInt16(digits)
        else { return nil }
        return RecordType(rawValue: code)
    }

    /// Whether `type` has a typed (non-`\#`) presentation form here.
    static func hasTypedForm(_ type: RecordType) -> Bool {
        byCode[type] != nil
    }
}
