/// One word of a configuration file as nginx's tokenizer (`ngx_conf_read_token`) cuts it.
///
/// Offsets are stored as 32-bit values so a 10 MB tree of a million tokens stays compact;
/// the public accessors are `Int`.
public struct NginxToken: Sendable, Hashable {
    /// How the word was written, which decides how its value is read.
    public enum Kind: UInt8, Sendable, Hashable {
        /// A bare word (`listen`, `80`, `\#x`).
        case bare
        /// A word in double quotes; the quotes are part of the raw bytes, not of the value.
        case doubleQuoted
        /// A word in single quotes.
        case singleQuoted
        /// The raw body of a `*_by_lua_block` directive, between (not including) its braces.
        case luaBlock
    }

    private let startOffset: UInt32
    private let endOffset: UInt32
    private let line32: UInt32
    private let column32: UInt32
    /// How the word was written.
    public let kind: Kind
    /// Whether the raw bytes contain a backslash, so the value may differ from the raw text.
    public let hasBackslash: Bool

    init(start: Int, end: Int, line: Int, column: Int, kind: Kind, hasBackslash: Bool) {
        startOffset = UInt32(truncatingIfNeeded: start)
        endOffset = UInt32(truncatingIfNeeded: end)
        line32 = UInt32(truncatingIfNeeded: line)
        column32 = UInt32(truncatingIfNeeded: column)
        self.kind = kind
        self.hasBackslash = hasBackslash
    }

    /// Byte offset of the first raw byte (the opening quote for a quoted word).
    public var start: Int { Int(startOffset) }
    /// Byte offset one past the last raw byte (past the closing quote for a quoted word).
    public var end: Int { Int(endOffset) }
    /// The raw bytes' range in the file.
    public var byteRange: Range<Int> { start..<end }
    /// 1-based line of the first raw byte.
    public var line: Int { Int(line32) }
    /// 1-based byte column of the first raw byte.
    public var column: Int { Int(column32) }

    /// The range of the bytes that carry the value: inside the quotes for quoted words.
    var contentRange: Range<Int> {
        switch kind {
        case .doubleQuoted, .singleQuoted: return (start + 1)..<(end - 1)
        case .bare, .luaBlock: return start..<end
        }
    }
}
