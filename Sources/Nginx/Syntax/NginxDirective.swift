/// One statement of a configuration file: a name, its arguments, and either a `;` or a block.
///
/// Directives of a file are stored in one flat array in source order (a pre-order walk), so
/// a block's descendants are the directives `index + 1 ..< subtreeEnd`. This keeps a 20,000
/// server tree to a handful of allocations.
public struct NginxDirective: Sendable, Hashable {
    private let firstToken: UInt32
    private let tokenCount32: UInt32
    private let terminator: UInt32
    private var closingBrace: UInt32
    private var subtreeEnd32: UInt32
    private let parent32: Int32
    /// Whether the block is the raw Lua body of a `*_by_lua_block` directive.
    public let hasLuaBody: Bool

    init(firstToken: Int, tokenCount: Int, terminator: Int, parent: Int?, index: Int, hasLuaBody: Bool = false) {
        self.hasLuaBody = hasLuaBody
        self.firstToken = UInt32(truncatingIfNeeded: firstToken)
        tokenCount32 = UInt32(truncatingIfNeeded: tokenCount)
        self.terminator = UInt32(truncatingIfNeeded: terminator)
        closingBrace = UInt32.max
        subtreeEnd32 = UInt32(truncatingIfNeeded: index + 1)
        parent32 = Int32(truncatingIfNeeded: parent ?? -1)
    }

    mutating func close(brace offset: Int, subtreeEnd: Int) {
        closingBrace = UInt32(truncatingIfNeeded: offset)
        subtreeEnd32 = UInt32(truncatingIfNeeded: subtreeEnd)
    }

    /// Index (in the file's tokens) of the directive's name.
    public var nameToken: Int { Int(firstToken) }
    /// Indices of the argument tokens (for a `*_by_lua_block`, the Lua body is not among them).
    public var argumentTokens: Range<Int> {
        let first = Int(firstToken) + 1
        return first..<(Int(firstToken) + Int(tokenCount32))
    }
    /// Index of the token holding the Lua body of a `*_by_lua_block` directive.
    public var luaBodyToken: Int? { hasLuaBody ? Int(firstToken) + Int(tokenCount32) : nil }
    /// Byte offset of the `;` or `{` that ends the statement.
    public var terminatorOffset: Int { Int(terminator) }
    /// Byte offset of the closing `}` when the directive has a block.
    public var closingBraceOffset: Int? { closingBrace == UInt32.max ? nil : Int(closingBrace) }
    /// Whether the statement ends with a block rather than `;`.
    public var hasBlock: Bool { closingBrace != UInt32.max }
    /// Index one past the last directive nested in this one.
    public var subtreeEnd: Int { Int(subtreeEnd32) }
    /// Index of the enclosing block's directive in the same file, nil at the file's top level.
    public var parent: Int? { parent32 < 0 ? nil : Int(parent32) }
}
