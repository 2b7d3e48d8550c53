/// Turns entries into records, carrying the state a master file carries from line to line:
/// the origin ($ORIGIN), the default TTL ($TTL, else the SOA minimum as BIND does), the last
/// owner and the last TTL (RFC 1035 §5.1 semantics when there is no default).
struct ZoneFileParser {
    let bytes: [UInt8]
    let path: String
    private(set) var origin: DNSName
    private(set) var defaultTTL: UInt32?
    private(set) var lastTTL: UInt32?
    private(set) var lastOwner: DNSName?
    private(set) var records: [ZoneFileRecord] = []
    private(set) var layouts: [ZoneFileRecordLayout] = []

    init(bytes: [UInt8], path: String, origin: DNSName) {
        self.bytes = bytes
        self.path = path
        self.origin = origin
    }

    /// Parses every entry of the file.
    mutating func parseAll() throws(ZoneFileError) {
        let entries = try ZoneFileLexer(bytes: bytes, path: path).entries()
        records.reserveCapacity(entries.count)
        layouts.reserveCapacity(entries.count)
        for entry in entries {
            try parse(entry)
        }
    }

    mutating func parse(_ entry: ZoneFileEntryText) throws(ZoneFileError) {
        var fields = ZoneFileFields(bytes: bytes, path: path, tokens: entry.tokens)
        let first = entry.tokens[0]
        if !entry.ownerOmitted, first.kind == .word, bytes[first.content.lowerBound] == UInt8(ascii: "$") {
            try directive(&fields)
            return
        }

        let owner: DNSName
        if entry.ownerOmitted {
            guard let lastOwner else { throw fields.error(.noPreviousOwner, at: first) }
            owner = lastOwner
        } else {
            owner = try fields.name(first, origin: origin)
            fields.position = 1
        }
        let fieldsStart = fields.current?.start ?? entry.lines.upperBound

        // TTL and class come in either order, each at most once (RFC 1035 §5.1).
        var ttl: UInt32? = nil
        var sawClass = false
        while let token = fields.current, token.kind == .word {
            let firstByte = bytes[token.content.lowerBound]
            if ttl == nil, firstByte >= 48, firstByte <= 57 {
                ttl = try fields.duration(token)
            } else if !sawClass, let isIN = Self.classToken(bytes[token.content]) {
                guard isIN else { throw fields.error(.unsupportedClass(fields.text(token)), at: token) }
                sawClass = true
            } else {
                break
            }
            fields.position += 1
        }

        let typeToken = try fields.next(or: .missingType)
        let typeText = fields.text(typeToken)
        guard typeToken.kind == .word, let type = ZoneFileTypes.type(named: typeText) else {
            throw fields.error(.unknownType(typeText), at: typeToken)
        }
        let parsed = try ZoneFileRDataParser.parse(type, fields: &fields, origin: origin)
        try fields.expectEnd()

        let inheritsPreviousTTL = ttl == nil && defaultTTL == nil && lastTTL != nil
        let effectiveTTL: UInt32
        if let ttl {
            effectiveTTL = ttl
        } else if let defaultTTL {
            effectiveTTL = defaultTTL
        } else if let lastTTL {
            effectiveTTL = lastTTL
        } else if case .soa(let soa) = parsed.data {
            // BIND's rule for a zone without $TTL: the SOA minimum becomes the default.
            effectiveTTL = soa.minimum
            defaultTTL = soa.minimum
        } else {
            throw fields.error(.noTTL, at: first)
        }
        lastTTL = effectiveTTL
        lastOwner = owner

        let record = ResourceRecord(name: owner, type: type, rclass: .in, ttl: effectiveTTL, data: parsed.data)
        let location = ZoneFileLocation(path: path, line: first.line, column: first.column, byteRange: entry.lines)
        records.append(ZoneFileRecord(record: record, location: location))
        layouts.append(
            ZoneFileRecordLayout(
                ownerOmitted: entry.ownerOmitted, inheritsPreviousTTL: inheritsPreviousTTL,
                fieldsStart: fieldsStart, origin: origin, serialRange: parsed.serialRange))
    }

    mutating func directive(_ fields: inout ZoneFileFields) throws(ZoneFileError) {
        let token = try fields.next(or: .missingType)
        let name = fields.text(token).uppercased()
        switch name {
        case "$ORIGIN":
            let argument = try fields.next(or: .missingDirectiveArgument("$ORIGIN"))
            origin = try fields.name(argument, origin: origin)
        case "$TTL":
            let argument = try fields.next(or: .missingDirectiveArgument("$TTL"))
            let value = try fields.duration(argument)
            defaultTTL = value
            lastTTL = value
        case "$INCLUDE", "$GENERATE":
            throw fields.error(.unsupportedDirective(name), at: token)
        default:
            throw fields.error(.unknownDirective(fields.text(token)), at: token)
        }
        try fields.expectEnd()
    }

    /// true for `IN`, false for another class mnemonic or `CLASSnnn`, nil for no class at all.
    /// Byte-wise: it runs on every token between owner and type.
    static func classToken(_ text: ArraySlice<UInt8>) -> Bool? {
        func isWord(_ word: String) -> Bool {
            text.count == word.utf8.count && zip(text, word.utf8).allSatisfy { $0 | 0x20 == $1 }
        }
        if isWord("in") || isWord("class1") { return true }
        if isWord("ch") || isWord("cs") || isWord("hs") || isWord("none") || isWord("any") { return false }
        guard text.count > 5, isPrefixClass(text) else { return nil }
        return text.dropFirst(5).allSatisfy { $0 >= 48 && $0 <= 57 } ? false : nil
    }

    static func isPrefixClass(_ text: ArraySlice<UInt8>) -> Bool {
        zip(text.prefix(5), "class".utf8).allSatisfy { $0 | 0x20 == $1 }
    }
}
