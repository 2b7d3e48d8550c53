/// A position in a configuration file: the file's path, a 1-based line and a 1-based byte
/// column, as nginx counts them (bytes, not characters).
public struct NginxSourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file's path.
    public let file: String
    /// 1-based line.
    public let line: Int
    /// 1-based byte column.
    public let column: Int

    /// A location from its parts.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form compilers use, so editors can jump to it.
    public var description: String { "\(file):\(line):\(column)" }
}
