/// One configuration file, parsed without losing a byte: every token knows its byte range,
/// line and column, and ``render()`` gives back the exact bytes that were parsed.
public struct NginxConfigFile: Sendable {
    /// The path the file was read from (as the including directive resolved it).
    public let path: String
    /// The file's bytes, exactly as read (not necessarily UTF-8).
    public let bytes: [UInt8]
    /// Every word of the file in source order.
    public let tokens: [NginxToken]
    /// Every statement of the file in source order (pre-order: a block's directives follow it).
    public let directives: [NginxDirective]

    /// Parses `bytes` the way nginx does; `path` is used for locations in errors.
    ///
    /// Throws at the first syntax error nginx would report (unbalanced braces, a missing
    /// semicolon before `}` or at the end of the file, a quoted word not followed by a space),
    /// with the file, line and column of the offending byte. Blocks nested deeper than
    /// `maxDepth` are ``NginxError/nestingTooDeep(limit:at:)`` (the parser never recurses).
    public static func parse(
        _ bytes: [UInt8], path: String, maxDepth: Int = NginxLimits.defaultMaxDepth
    ) throws(NginxError) -> NginxConfigFile {
        var parser = NginxParser(path: path, expectedSize: bytes.count, maxDepth: maxDepth)
        let failure = bytes.withUnsafeBufferPointer { parser.run($0) }
        if let failure { throw failure }
        return NginxConfigFile(path: path, bytes: bytes, tokens: parser.tokens, directives: parser.directives)
    }

    /// The file's bytes rebuilt from its tokens and the bytes between them (spaces, comments,
    /// `;`, braces). Equal to ``bytes`` for every parsed file: nothing is normalised.
    public func render() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var cursor = 0
        for token in tokens {
            output.append(contentsOf: bytes[cursor..<token.start])
            output.append(contentsOf: bytes[token.byteRange])
            cursor = token.end
        }
        output.append(contentsOf: bytes[cursor...])
        return output
    }

    /// Indices of the directives at the file's top level.
    public var topLevelDirectives: [Int] { childIndices(from: 0, to: directives.count) }

    /// Indices of the directives directly inside the block of directive `index`.
    public func children(of index: Int) -> [Int] {
        childIndices(from: index + 1, to: directives[index].subtreeEnd)
    }

    private func childIndices(from start: Int, to end: Int) -> [Int] {
        var result: [Int] = []
        var index = start
        while index < end {
            result.append(index)
            index = directives[index].subtreeEnd
        }
        return result
    }

    /// The value of a token as nginx hands it to a directive: quotes removed and the escapes
    /// nginx knows (`\"`, `\'`, `\\`, `\t`, `\r`, `\n`) applied.
    public func value(of token: NginxToken) -> [UInt8] {
        let range = token.contentRange
        guard token.hasBackslash else { return Array(bytes[range]) }
        return bytes.withUnsafeBufferPointer { Self.unescape($0, range) }
    }

    /// ``value(of:)`` as a string (invalid UTF-8 replaced, for display and names).
    public func string(of token: NginxToken) -> String {
        String(decoding: value(of: token), as: UTF8.self)
    }

    /// The directive's name.
    public func name(of directive: NginxDirective) -> String {
        string(of: tokens[directive.nameToken])
    }

    /// The directive's arguments, unquoted and unescaped.
    public func arguments(of directive: NginxDirective) -> [String] {
        directive.argumentTokens.map { string(of: tokens[$0]) }
    }

    /// Where the directive's name starts.
    public func location(of directive: NginxDirective) -> NginxSourceLocation {
        location(of: tokens[directive.nameToken])
    }

    /// Where the token starts.
    public func location(of token: NginxToken) -> NginxSourceLocation {
        NginxSourceLocation(file: path, line: token.line, column: token.column)
    }

    /// Bytes of the whole statement: from its name to its `;` or its closing `}`.
    public func byteRange(of directive: NginxDirective) -> Range<Int> {
        let end = (directive.closingBraceOffset ?? directive.terminatorOffset) + 1
        return tokens[directive.nameToken].start..<end
    }

    /// The statement's source text up to its `;` (or `{`), as written: `listen 443 ssl;`.
    public func sourceText(of directive: NginxDirective) -> String {
        let start = tokens[directive.nameToken].start
        return String(decoding: bytes[start...directive.terminatorOffset], as: UTF8.self)
    }

    /// True when the token's value equals `word` (ASCII), without allocating.
    func tokenEquals(_ token: NginxToken, _ word: StaticString) -> Bool {
        guard !token.hasBackslash, token.kind != .luaBlock else { return string(of: token) == word.description }
        let range = token.contentRange
        guard range.count == word.utf8CodeUnitCount else { return false }
        return word.withUTF8Buffer { expected in
            var position = range.lowerBound
            for byte in expected {
                if bytes[position] != byte { return false }
                position += 1
            }
            return true
        }
    }

    static func unescape(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(range.count)
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\\") && index + 1 < end {
                switch buffer[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\"):
                    index += 1
                case UInt8(ascii: "t"):
                    output.append(UInt8(ascii: "\t"))
                    index += 2
                    continue
                case UInt8(ascii: "r"):
                    output.append(UInt8(ascii: "\r"))
                    index += 2
                    continue
                case UInt8(ascii: "n"):
                    output.append(UInt8(ascii: "\n"))
                    index += 2
                    continue
                default:
                    break
                }
            }
            output.append(buffer[index])
            index += 1
        }
        return output
    }
}
