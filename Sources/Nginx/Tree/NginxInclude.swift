/// One `include` directive and the files it brought in, in the order nginx reads them.
public struct NginxInclude: Sendable, Hashable {
    /// The file (index in ``NginxConfigTree/files``) holding the `include`.
    public let fileIndex: Int
    /// The `include` statement's index in that file.
    public let directiveIndex: Int
    /// The included files (indices in ``NginxConfigTree/files``), sorted as glob(3) sorts.
    public let includedFiles: [Int]
}
