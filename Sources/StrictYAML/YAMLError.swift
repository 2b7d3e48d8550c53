/// Why a YAML file could not be read as a document. Every case carries its location.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public let mark: YAMLMark
    public let message: String

    public init(_ message: String, at mark: YAMLMark) {
        self.mark = mark
        self.message = message
    }

    /// `file:line:column: message`.
    public var description: String { "\(mark): \(message)" }
}
