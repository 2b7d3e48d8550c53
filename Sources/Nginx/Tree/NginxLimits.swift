/// Bounds on what loading a configuration may read, so hostile or broken input ends with an
/// error instead of a crash, a hang or gigabytes of memory (DESIGN §12).
public struct NginxLimits: Sendable, Hashable {
    /// Deepest nesting of blocks, counted across includes (an include inside a block of
    /// depth d continues at depth d). nginx's own configurations stay far below it.
    public var maxDepth: Int
    /// Largest single file an include (or the main configuration) may name.
    public var maxFileBytes: Int
    /// Largest total of all the files read.
    public var maxTreeBytes: Int

    public static let defaultMaxDepth = 1_000
    public static let defaultMaxFileBytes = 64 << 20
    public static let defaultMaxTreeBytes = 512 << 20

    public init(
        maxDepth: Int = defaultMaxDepth, maxFileBytes: Int = defaultMaxFileBytes,
        maxTreeBytes: Int = defaultMaxTreeBytes
    ) {
        self.maxDepth = maxDepth
        self.maxFileBytes = maxFileBytes
        self.maxTreeBytes = maxTreeBytes
    }
}
