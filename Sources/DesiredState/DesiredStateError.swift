import StrictYAML

/// Everything wrong with a desired-state directory: every problem found, not just the first.
public struct DesiredStateError: Error, Sendable, CustomStringConvertible {
    /// One problem, located as precisely as the input allows.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public let file: String
        /// 1-based; nil when the problem concerns a whole file or directory.
        public let line: Int?
        public let column: Int?
        public let message: String

        public init(file: String, line: Int?, column: Int?, message: String) {
            self.file = file
            self.line = line
            self.column = column
            self.message = message
        }

        public init(_ message: String, at mark: YAMLMark) {
            self.init(file: mark.file, line: mark.line, column: mark.column, message: message)
        }

        /// `file:line:column: message`, or `file: message` without a position.
        public var description: String {
            if let line, let column { return "\(file):\(line):\(column): \(message)" }
            return "\(file): \(message)"
        }
    }

    public let problems: [Problem]

    public init(_ problems: [Problem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
