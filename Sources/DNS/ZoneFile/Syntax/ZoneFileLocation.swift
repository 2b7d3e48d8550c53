/// Where a record's entry is in its zone file.
public struct ZoneFileLocation: Hashable, Sendable, CustomStringConvertible {
    /// The zone file.
    public let path: String
    /// 1-based line of the entry's first token.
    public let line: Int
    /// 1-based byte column of the entry's first token.
    public let column: Int
    /// The whole lines the entry spans: from the start of its first line to after the newline
    /// of its last line (an entry in parentheses spans several lines).
    public let byteRange: Range<Int>

    /// A location; `byteRange` must cover whole lines.
    public init(path: String, line: Int, column: Int, byteRange: Range<Int>) {
        self.path = path
        self.line = line
        self.column = column
        self.byteRange = byteRange
    }

    /// `path:line`, the form evidence is printed in.
    public var description: String { "\(path):\(line)" }
}
