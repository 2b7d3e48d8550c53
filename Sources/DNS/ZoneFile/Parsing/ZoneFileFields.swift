/// Reads the fields of one entry in order, turning tokens into names, numbers and strings and
/// every failure into a ``ZoneFileError`` at the offending token.
struct ZoneFileFields {
    let bytes: [UInt8]
    let path: String
    let tokens: [ZoneFileToken]
    /// Where "missing field" errors point when the tokens run out: the entry's last token.
    var position = 0

    init(bytes: [UInt8], path: String, tokens: [ZoneFileToken]) {
        self.bytes = bytes
        self.path = path
        self.tokens = tokens
    }

    var atEnd: Bool { position >= tokens.count }
    var current: ZoneFileToken? { atEnd ? nil : tokens[position] }

    func text(_ token: ZoneFileToken) -> String {
        String(decoding: bytes[token.content], as: UTF8.self)
    }

    func error(_ reason: ZoneFileError.Reason, at token: ZoneFileToken) -> ZoneFileError {
        ZoneFileError(path: path, line: token.line, column: token.column, reason: reason)
    }

    /// An error about something missing after the last token.
    func missing(_ reason: ZoneFileError.Reason) -> ZoneFileError {
        guard let last = tokens.last else { return ZoneFileError(path: path, reason: reason) }
        let end = last.content.upperBound + (last.kind == .quoted ? 1 : 0)
        return ZoneFileError(path: path, line: last.line, column: last.column + (end - last.start), reason: reason)
    }

    /// The next token, or the error `reason` when there is none.
    mutating func next(or reason: ZoneFileError.Reason) throws(ZoneFileError) -> ZoneFileToken {
        guard let token = current else { throw missing(reason) }
        position += 1
        return token
    }

    /// Throws when tokens are left over.
    func expectEnd() throws(ZoneFileError) {
        if let token = current { throw error(.extraToken(text(token)), at: token) }
    }

    /// A domain name, relative ones completed with `origin`.
    func name(_ token: ZoneFileToken, origin: DNSName) throws(ZoneFileError) -> DNSName {
        let text = text(token)
        guard token.kind == .word else { throw error(.quotedName(text), at: token) }
        // Control and non-ASCII bytes are almost always a paste accident (a stray NUL, a
        // non-breaking space); a name that really holds one writes it as \DDD. A space can
        // only be here escaped, which is fine.
        if let bad = bytes[token.content].first(where: { $0 < 0x20 || $0 > 0x7E }) {
            throw error(.illegalByteInName(text, bad), at: token)
        }
        do {
            return try DNSName(text, origin: origin)
        } catch {
            throw self.error(.badName(text, error), at: token)
        }
    }

    /// A decimal number from 0 to `maximum`.
    func number(_ token: ZoneFileToken, field: String, maximum: UInt32) throws(ZoneFileError) -> UInt32 {
        let slice = bytes[token.content]
        let bad = error(.badNumber(field: field, text: text(token), maximum: maximum), at: token)
        guard token.kind == .word, !slice.isEmpty, slice.count <= 10 else { throw bad }
        var value: UInt64 = 0
        for byte in slice {
            guard byte >= 48 && byte <= 57 else { throw bad }
            value = value * 10 + UInt64(byte - 48)
        }
        guard value <= UInt64(maximum) else { throw bad }
        return UInt32(value)
    }

    /// A TTL-like duration (BIND also allows units in SOA timers).
    func duration(_ token: ZoneFileToken) throws(ZoneFileError) -> UInt32 {
        guard token.kind == .word, let value = ZoneFileTTL.parse(bytes[token.content]) else {
            throw error(.badTTL(text(token)), at: token)
        }
        return value
    }

    /// A character-string (RFC 1035 §5.1): quoted or not, escapes resolved, at most 255 bytes.
    func characterString(_ token: ZoneFileToken) throws(ZoneFileError) -> [UInt8] {
        guard let value = Self.unescape(bytes[token.content]) else {
            throw error(.badEscape(text(token)), at: token)
        }
        guard value.count <= 255 else { throw error(.stringTooLong(value.count), at: token) }
        return value
    }

    /// Resolves `\X` and `\DDD` escapes; nil for a `\DDD` over 255 or a dangling backslash.
    static func unescape(_ raw: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            guard byte == ZoneFileLexer.backslash else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < raw.endIndex else { return nil }
            let next = raw[index + 1]
            guard next >= 48 && next <= 57 else {
                out.append(next)
                index += 2
                continue
            }
            guard index + 3 < raw.endIndex else { return nil }
            var value = 0
            for digit in raw[(index + 1)...(index + 3)] {
                guard digit >= 48 && digit <= 57 else { return nil }
                value = value * 10 + Int(digit - 48)
            }
            guard value <= 255 else { return nil }
            out.append(UInt8(value))
            index += 4
        }
        return out
    }
}
