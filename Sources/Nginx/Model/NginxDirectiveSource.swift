/// Where a directive is written: which file of the tree, which statement, its location,
/// bytes and text.
public struct NginxDirectiveSource: Sendable, Hashable {
    /// Index of the file in ``NginxConfigTree/files``.
    public let fileIndex: Int
    /// Index of the statement in that file's ``NginxConfigFile/directives``.
    public let directiveIndex: Int
    /// Where the directive's name starts.
    public let location: NginxSourceLocation
    /// The statement's bytes in its file (name to `;`, or to the closing `}`).
    public let byteRange: Range<Int>
    /// The statement as written up to its `;`: `listen 443 ssl;`.
    public let text: String

    /// The file's path.
    public var file: String { location.file }
}
