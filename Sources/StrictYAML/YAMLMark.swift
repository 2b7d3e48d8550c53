/// Where a node starts: file, 1-based line and 1-based column (in characters, as libyaml
/// counts them).
public struct YAMLMark: Hashable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the prefix of every error message.
    public var description: String { "\(file):\(line):\(column)" }
}
