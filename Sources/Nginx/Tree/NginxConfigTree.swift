/// Everything nginx reads from one main configuration: the files (main first, then each
/// included file once, in first-read order), the includes that join them, and the `http`
/// server blocks in load order.
public struct NginxConfigTree: Sendable {
    /// The main configuration's path, as given.
    public let mainConfigPath: String
    /// The directory relative includes are resolved against (nginx's conf prefix).
    public let prefixDirectory: String
    /// Every file read, main first. A file included several times appears once.
    public let files: [NginxConfigFile]
    /// Every `include` met while walking the configuration, in walk order.
    public let includes: [NginxInclude]
    /// The `http` server blocks, in the order nginx loads them.
    public let serverBlocks: [NginxServerBlock]
    /// The bounds it was read with (kept for re-reading it after an edit).
    public let limits: NginxLimits

    /// Reads the main configuration at `path` and every file it includes through `reader`,
    /// parses them and models the `http` server blocks.
    ///
    /// Relative include paths are resolved against the main configuration's directory, as
    /// nginx does; patterns are expanded and sorted like glob(3). Throws the first problem
    /// nginx would stop at: a syntax error, a missing include, an include cycle, an invalid
    /// `listen` or `server_name`, each with `file:line:column`; or a bound of `limits` crossed
    /// (nesting depth, one file's size, the total size read).
    public static func load(
        mainConfig path: String, reader: some NginxFileReader, limits: NginxLimits = NginxLimits()
    ) throws(NginxError) -> NginxConfigTree {
        var loader = NginxTreeLoader(reader: reader, prefix: IncludePattern.directory(of: path), limits: limits)
        try loader.loadMain(path)
        return NginxConfigTree(
            mainConfigPath: path, prefixDirectory: loader.prefix, files: loader.files, includes: loader.includes,
            serverBlocks: loader.serverBlocks, limits: limits)
    }

    /// Index of the file at `path` in ``files``.
    public func fileIndex(ofPath path: String) -> Int? {
        files.firstIndex { $0.path == path }
    }

    /// How many `include` statements name the file at `fileIndex` (a snippet shared by
    /// several blocks is not a place to edit one block).
    public func includeCount(ofFile fileIndex: Int) -> Int {
        includes.reduce(0) { $0 + ($1.includedFiles.contains(fileIndex) ? 1 : 0) }
    }
}
