/// One `server` block of the `http` context, with what decides which requests it answers.
public struct NginxServerBlock: Sendable {
    /// Position among the tree's http server blocks, in the order nginx loads them.
    public let index: Int
    /// Where `server {` is written; the block's own file.
    public let source: NginxDirectiveSource
    /// Every name of every `server_name` (including those from included files), in order.
    public let serverNames: [NginxServerName]
    /// The `listen` directives the block states (including those from included files).
    public let listens: [NginxListen]
    /// The legacy `ssl on;` in force for the block (its own, or inherited from `http`): nginx
    /// before 1.25.1 then speaks TLS on every socket whose default block this is.
    public let legacySSL: NginxDirectiveSource?

    /// The listens nginx actually opens for the block: the stated ones, or `*:80`.
    public var effectiveListens: [NginxListen] { listens.isEmpty ? [NginxListen.implicitDefault] : listens }

    /// The block's file path.
    public var file: String { source.file }
    /// Where `server` is written.
    public var location: NginxSourceLocation { source.location }
    /// The bytes from `server` to its closing `}` in the block's file.
    public var byteRange: Range<Int> { source.byteRange }
}
