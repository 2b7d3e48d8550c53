/// Cuts a master file (RFC 1035 §5.1) into entries of tokens.
///
/// Works on bytes: a zone file need not be UTF-8. An entry ends at a newline outside
/// parentheses; `;` starts a comment up to the end of the line; a backslash escapes the next
/// byte in words and quoted strings alike (the escape is resolved later, per field).
struct ZoneFileLexer {
    let bytes: [UInt8]
    let path: String

    func entries() throws(ZoneFileError) -> [ZoneFileEntryText] {
        var entries: [ZoneFileEntryText] = []
        var tokens: [ZoneFileToken] = []
        let count = bytes.count
        var index = 0
        var line = 1
        var lineStart = 0
        var depth = 0
        var openParenthesis = (line: 0, column: 0)
        var entryStart = 0
        var ownerOmitted = false
        var atEntryStart = true

        while index < count {
            let byte = bytes[index]
            if atEntryStart {
                entryStart = index
                ownerOmitted = byte == Self.space || byte == Self.tab
                atEntryStart = false
            }
            switch byte {
            case Self.newline:
                index += 1
                line += 1
                lineStart = index
                if depth == 0 {
                    if !tokens.isEmpty {
                        entries.append(
                            ZoneFileEntryText(tokens: tokens, ownerOmitted: ownerOmitted, lines: entryStart..<index))
                        tokens.removeAll(keepingCapacity: true)
                    }
                    atEntryStart = true
                }
            case Self.space, Self.tab, Self.carriageReturn:
                index += 1
            case Self.semicolon:
                while index < count && bytes[index] != Self.newline { index += 1 }
            case Self.openParenthesis:
                if depth == 0 { openParenthesis = (line, index - lineStart + 1) }
                depth += 1
                index += 1
            case Self.closeParenthesis:
                guard depth > 0 else {
                    throw ZoneFileError(
                        path: path, line: line, column: index - lineStart + 1, reason: .unexpectedCloseParenthesis)
                }
                depth -= 1
                index += 1
            case Self.quote:
                let column = index - lineStart + 1
                let start = index
                index += 1
                let contentStart = index
                while true {
                    guard index < count, bytes[index] != Self.newline else {
                        throw ZoneFileError(path: path, line: line, column: column, reason: .unterminatedString)
                    }
                    if bytes[index] == Self.quote { break }
                    index +=
                        bytes[index] == Self.backslash && index + 1 < count && bytes[index + 1] != Self.newline ? 2 : 1
                }
                tokens.append(
                    ZoneFileToken(
                        kind: .quoted, content: contentStart..<index, start: start, line: line, column: column))
                index += 1
            default:
                let start = index
                while index < count {
                    let current = bytes[index]
                    if current == Self.backslash {
                        index += index + 1 < count && bytes[index + 1] != Self.newline ? 2 : 1
                        continue
                    }
                    if Self.endsWord(current) { break }
                    index += 1
                }
                tokens.append(
                    ZoneFileToken(
                        kind: .word, content: start..<index, start: start, line: line, column: start - lineStart + 1))
            }
        }
        if depth > 0 {
            throw ZoneFileError(
                path: path, line: openParenthesis.line, column: openParenthesis.column, reason: .unclosedParenthesis)
        }
        if !tokens.isEmpty {
            entries.append(ZoneFileEntryText(tokens: tokens, ownerOmitted: ownerOmitted, lines: entryStart..<count))
        }
        return entries
    }

    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let semicolon = UInt8(ascii: ";")
    static let openParenthesis = UInt8(ascii: "(")
    static let closeParenthesis = UInt8(ascii: ")")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")

    static func endsWord(_ byte: UInt8) -> Bool {
        switch byte {
        case newline, carriageReturn, space, tab, semicolon, openParenthesis, closeParenthesis, quote: true
        default: false
        }
    }
}
