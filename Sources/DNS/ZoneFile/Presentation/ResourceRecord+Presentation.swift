extension ResourceRecord {
    /// The record as one zone-file line with an absolute owner and every field explicit:
    /// `media.example.social. 300 IN AAAA 2001:db8::10`. Parsing it back with
    /// ``init(presentation:origin:)`` gives the same record.
    public var presentation: String {
        let text = data.presentation(as: type)
        // Data that does not fit its type's text form is printed generically, under TYPEnnn.
        let typeName = text.hasPrefix("\\# ") ? "TYPE\(type.rawValue)" : ZoneFileTypes.mnemonic(type)
        return "\(name) \(ttl) \(rclass) \(typeName) \(text)"
    }

    /// Parses one record line in zone-file syntax (as ``presentation`` prints it, or any
    /// single record entry with an owner and a TTL). Relative names are completed with
    /// `origin`.
    public init(presentation: String, origin: DNSName = .root) throws(ZoneFileError) {
        let path = "<record>"
        var parser = ZoneFileParser(bytes: Array(presentation.utf8), path: path, origin: origin)
        try parser.parseAll()
        guard parser.records.count == 1, let only = parser.records.first else {
            throw ZoneFileError(path: path, line: 1, column: 1, reason: .notOneRecord(parser.records.count))
        }
        self = only.record
    }
}
