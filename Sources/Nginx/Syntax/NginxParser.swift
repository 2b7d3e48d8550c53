/// nginx's tokenizer (`ngx_conf_read_token` in `src/core/ngx_conf_file.c`) and block
/// structure, on raw bytes.
///
/// The states and their order follow nginx so that what nginx accepts is accepted and what
/// it rejects is rejected at the same byte: a quoted word must be followed by a space, `;`
/// or `{` (`"a"b` fails at `b`), `#` starts a comment only at the start of a word, `${` does
/// not open a block, a `)` right after a quoted word is allowed (for `if (...)`). The raw
/// body of a `*_by_lua_block` is read the way lua-nginx-module reads it: braces counted
/// outside Lua strings and comments.
struct NginxParser {
    private let path: String
    private(set) var tokens: [NginxToken] = []
    private(set) var directives: [NginxDirective] = []
    private var openBlocks: [Int] = []
    private var line = 1
    private var lineStart = 0
    /// Deepest nesting of blocks accepted; the `{` one level deeper is an error.
    private let maxDepth: Int

    init(path: String, expectedSize: Int, maxDepth: Int) {
        self.path = path
        self.maxDepth = maxDepth
        tokens.reserveCapacity(expectedSize / 6)
        directives.reserveCapacity(expectedSize / 24)
    }

    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let semicolon = UInt8(ascii: ";")
    private static let openBrace = UInt8(ascii: "{")
    private static let closeBrace = UInt8(ascii: "}")
    private static let hash = UInt8(ascii: "#")
    private static let backslash = UInt8(ascii: "\\")
    private static let doubleQuote = UInt8(ascii: "\"")
    private static let singleQuote = UInt8(ascii: "'")
    private static let dollar = UInt8(ascii: "$")
    private static let closeParen = UInt8(ascii: ")")

    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || byte == carriageReturn || byte == lineFeed
    }

    private func location(_ offset: Int) -> NginxSourceLocation {
        NginxSourceLocation(file: path, line: line, column: offset - lineStart + 1)
    }

    private static func printable(_ byte: UInt8) -> String {
        String(decoding: [byte], as: UTF8.self)
    }

    /// Reads the whole buffer; returns the first error, nginx's way (it stops at the first).
    mutating func run(_ buffer: UnsafeBufferPointer<UInt8>) -> NginxError? {
        let count = buffer.count
        var index = 0
        var statementStart = tokens.count
        var lastSpace = true
        var sharpComment = false
        var quoted = false
        var singleQuoted = false
        var doubleQuoted = false
        var needSpace = false
        var variable = false
        var backslashSeen = false
        var wordStart = 0
        var wordLine = 0
        var wordColumn = 0
        var wordKind = NginxToken.Kind.bare

        while index < count {
            let byte = buffer[index]
            index += 1
            if byte == Self.lineFeed {
                line += 1
                lineStart = index
                if sharpComment { sharpComment = false }
            }
            if sharpComment { continue }
            if quoted {
                quoted = false
                continue
            }
            if needSpace {
                if Self.isSpace(byte) {
                    lastSpace = true
                    needSpace = false
                    continue
                }
                if byte == Self.semicolon {
                    if let error = endStatement(tokenStart: statementStart, at: index - 1) { return error }
                    statementStart = tokens.count
                    needSpace = false
                    lastSpace = true
                    continue
                }
                if byte == Self.openBrace {
                    switch openBlock(buffer, tokenStart: statementStart, at: index - 1) {
                    case .failure(let error): return error
                    case .success(let resume): index = resume
                    }
                    statementStart = tokens.count
                    needSpace = false
                    lastSpace = true
                    continue
                }
                if byte == Self.closeParen {
                    lastSpace = true
                    needSpace = false
                } else {
                    return .unexpectedCharacter(Self.printable(byte), at: location(index - 1))
                }
            }
            if lastSpace {
                if Self.isSpace(byte) { continue }
                wordStart = index - 1
                wordLine = line
                wordColumn = index - lineStart
                wordKind = .bare
                backslashSeen = false
                switch byte {
                case Self.semicolon, Self.openBrace:
                    if tokens.count == statementStart {
                        return .unexpectedCharacter(Self.printable(byte), at: location(index - 1))
                    }
                    if byte == Self.semicolon {
                        if let error = endStatement(tokenStart: statementStart, at: index - 1) { return error }
                    } else {
                        switch openBlock(buffer, tokenStart: statementStart, at: index - 1) {
                        case .failure(let error): return error
                        case .success(let resume): index = resume
                        }
                    }
                    statementStart = tokens.count
                    continue
                case Self.closeBrace:
                    if tokens.count != statementStart {
                        return .unexpectedCharacter("}", at: location(index - 1))
                    }
                    if let error = closeBlock(at: index - 1) { return error }
                    continue
                case Self.hash:
                    sharpComment = true
                    // Fast path: nothing in a comment matters until the line feed, which
                    // the top of the loop handles (it ends the comment).
                    while index < count && buffer[index] != Self.lineFeed { index += 1 }
                    continue
                case Self.backslash:
                    quoted = true
                    backslashSeen = true
                    lastSpace = false
                    continue
                case Self.doubleQuote:
                    wordKind = .doubleQuoted
                    doubleQuoted = true
                    lastSpace = false
                    continue
                case Self.singleQuote:
                    wordKind = .singleQuoted
                    singleQuoted = true
                    lastSpace = false
                    continue
                case Self.dollar:
                    variable = true
                    lastSpace = false
                    continue
                default:
                    lastSpace = false
                    index = skipPlain(buffer, from: index, quote: nil)
                }
            } else {
                if byte == Self.openBrace && variable { continue }
                variable = false
                if byte == Self.backslash {
                    quoted = true
                    backslashSeen = true
                    continue
                }
                if byte == Self.dollar {
                    variable = true
                    continue
                }
                var found = false
                var wordEnd = index - 1
                if doubleQuoted {
                    if byte == Self.doubleQuote {
                        doubleQuoted = false
                        needSpace = true
                        found = true
                        wordEnd = index
                    }
                } else if singleQuoted {
                    if byte == Self.singleQuote {
                        singleQuoted = false
                        needSpace = true
                        found = true
                        wordEnd = index
                    }
                } else if Self.isSpace(byte) || byte == Self.semicolon || byte == Self.openBrace {
                    lastSpace = true
                    found = true
                }
                guard found else {
                    let quote = doubleQuoted ? Self.doubleQuote : singleQuoted ? Self.singleQuote : nil
                    index = skipPlain(buffer, from: index, quote: quote)
                    continue
                }
                tokens.append(
                    NginxToken(
                        start: wordStart, end: wordEnd, line: wordLine, column: wordColumn,
                        kind: wordKind, hasBackslash: backslashSeen))
                if byte == Self.semicolon {
                    if let error = endStatement(tokenStart: statementStart, at: index - 1) { return error }
                    statementStart = tokens.count
                } else if byte == Self.openBrace {
                    switch openBlock(buffer, tokenStart: statementStart, at: index - 1) {
                    case .failure(let error): return error
                    case .success(let resume): index = resume
                    }
                    statementStart = tokens.count
                }
            }
        }
        if tokens.count != statementStart || !lastSpace {
            return .unexpectedEndOfFile(expecting: "\";\" or \"}\"", at: location(count))
        }
        if !openBlocks.isEmpty {
            return .unexpectedEndOfFile(expecting: "\"}\"", at: location(count))
        }
        return nil
    }

    /// Fast path inside a word: skips bytes that cannot change the tokenizer's state (no
    /// line feed, backslash or `$`; outside quotes no space, `;` or `{`; inside quotes not
    /// the closing quote) and returns the index of the next byte that can.
    @inline(__always)
    private func skipPlain(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, quote: UInt8?) -> Int {
        var index = start
        let count = buffer.count
        if let quote {
            while index < count {
                let byte = buffer[index]
                if byte == quote || byte == Self.lineFeed || byte == Self.backslash || byte == Self.dollar { break }
                index += 1
            }
            return index
        }
        while index < count {
            let byte = buffer[index]
            if byte == Self.space || byte == Self.semicolon || byte == Self.lineFeed || byte == Self.openBrace
                || byte == Self.tab || byte == Self.carriageReturn || byte == Self.backslash || byte == Self.dollar
            {
                break
            }
            index += 1
        }
        return index
    }

    private mutating func endStatement(tokenStart: Int, at offset: Int) -> NginxError? {
        let index = directives.count
        directives.append(
            NginxDirective(
                firstToken: tokenStart, tokenCount: tokens.count - tokenStart, terminator: offset,
                parent: openBlocks.last, index: index))
        return nil
    }

    /// Opens a block at the `{` at `offset`; returns where reading resumes (past a Lua body).
    private mutating func openBlock(
        _ buffer: UnsafeBufferPointer<UInt8>, tokenStart: Int, at offset: Int
    ) -> Result<Int, NginxError> {
        let index = directives.count
        let isLua = Self.nameEndsWithLuaBlock(buffer, tokens[tokenStart])
        directives.append(
            NginxDirective(
                firstToken: tokenStart, tokenCount: tokens.count - tokenStart, terminator: offset,
                parent: openBlocks.last, index: index, hasLuaBody: isLua))
        guard isLua else {
            guard openBlocks.count < maxDepth else {
                return .failure(.nestingTooDeep(limit: maxDepth, at: location(offset)))
            }
            openBlocks.append(index)
            return .success(offset + 1)
        }
        switch readLuaBody(buffer, from: offset + 1) {
        case .failure(let error): return .failure(error)
        case .success(let close):
            directives[index].close(brace: close, subtreeEnd: index + 1)
            return .success(close + 1)
        }
    }

    private mutating func closeBlock(at offset: Int) -> NginxError? {
        guard let open = openBlocks.popLast() else {
            return .unexpectedCharacter("}", at: location(offset))
        }
        directives[open].close(brace: offset, subtreeEnd: directives.count)
        return nil
    }

    private static let luaSuffix = Array("_by_lua_block".utf8)

    private static func nameEndsWithLuaBlock(_ buffer: UnsafeBufferPointer<UInt8>, _ token: NginxToken) -> Bool {
        let content = token.contentRange
        guard content.count >= luaSuffix.count, token.kind != .luaBlock else { return false }
        if token.hasBackslash {
            let value = NginxConfigFile.unescape(buffer, content)
            return value.count >= luaSuffix.count && Array(value.suffix(luaSuffix.count)) == luaSuffix
        }
        var position = content.upperBound - luaSuffix.count
        for expected in luaSuffix {
            if buffer[position] != expected { return false }
            position += 1
        }
        return true
    }

    /// Reads a Lua body up to its matching `}`, skipping braces inside Lua strings, long
    /// brackets and comments; appends it as one token and returns the brace's offset.
    private mutating func readLuaBody(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Result<Int, NginxError>
    {
        let bodyLine = line
        let bodyColumn = start - lineStart + 1
        let count = buffer.count
        var depth = 1
        var index = start

        func longBracketLevel(at position: Int) -> Int? {
            // `[`, any number of `=`, `[` opens a long bracket of that level.
            guard position < count, buffer[position] == UInt8(ascii: "[") else { return nil }
            var cursor = position + 1
            var level = 0
            while cursor < count && buffer[cursor] == UInt8(ascii: "=") {
                level += 1
                cursor += 1
            }
            return cursor < count && buffer[cursor] == UInt8(ascii: "[") ? level : nil
        }

        while index < count {
            let byte = buffer[index]
            if byte == Self.lineFeed {
                line += 1
                lineStart = index + 1
                index += 1
                continue
            }
            if byte == UInt8(ascii: "-") && index + 1 < count && buffer[index + 1] == UInt8(ascii: "-") {
                if let level = longBracketLevel(at: index + 2) {
                    index = skipLongBracket(buffer, from: index + 2 + level + 2, level: level)
                } else {
                    while index < count && buffer[index] != Self.lineFeed { index += 1 }
                }
                continue
            }
            if let level = longBracketLevel(at: index) {
                index = skipLongBracket(buffer, from: index + level + 2, level: level)
                continue
            }
            if byte == Self.doubleQuote || byte == Self.singleQuote {
                index += 1
                while index < count && buffer[index] != byte && buffer[index] != Self.lineFeed {
                    if buffer[index] == Self.backslash { index += 1 }
                    index += 1
                }
                if index < count && buffer[index] == byte { index += 1 }
                continue
            }
            if byte == Self.openBrace {
                depth += 1
            } else if byte == Self.closeBrace {
                depth -= 1
                if depth == 0 {
                    tokens.append(
                        NginxToken(
                            start: start, end: index, line: bodyLine, column: bodyColumn, kind: .luaBlock,
                            hasBackslash: false))
                    return .success(index)
                }
            }
            index += 1
        }
        return .failure(.unexpectedEndOfFile(expecting: "\"}\" closing the Lua block", at: location(count)))
    }

    /// Skips to just past `]` `=`*level `]`, counting lines.
    private mutating func skipLongBracket(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, level: Int) -> Int {
        let count = buffer.count
        var index = start
        while index < count {
            let byte = buffer[index]
            if byte == Self.lineFeed {
                line += 1
                lineStart = index + 1
            } else if byte == UInt8(ascii: "]") {
                var cursor = index + 1
                var seen = 0
                while cursor < count && buffer[cursor] == UInt8(ascii: "=") {
                    seen += 1
                    cursor += 1
                }
                if seen == level && cursor < count && buffer[cursor] == UInt8(ascii: "]") {
                    return cursor + 1
                }
            }
            index += 1
        }
        return count
    }
}
