/// Configuration files held in memory, keyed by absolute path; directories are implied by
/// the files' paths.
public struct InMemoryNginxFileReader: NginxFileReader {
    /// File contents by absolute path.
    public let files: [String: [UInt8]]

    /// Files given as bytes, keyed by absolute path.
    public init(files: [String: [UInt8]]) {
        self.files = files
    }

    /// Convenience for tests: text files.
    public init(textFiles: [String: String]) {
        self.files = textFiles.mapValues { Array($0.utf8) }
    }

    public func readFile(atPath path: String, maxBytes: Int) throws(NginxFileReadError) -> [UInt8] {
        if let bytes = files[path] {
            if bytes.count > maxBytes { throw .tooLarge(limit: maxBytes) }
            return bytes
        }
        if directoryEntries(atPath: path) != nil { throw .isDirectory }
        throw .notFound
    }

    public func directoryEntries(atPath path: String) -> [String]? {
        let prefix = path.hasSuffix("/") ? path : path + "/"
        var names = Set<String>()
        for key in files.keys where key.hasPrefix(prefix) {
            let rest = key.dropFirst(prefix.count)
            if let name = rest.split(separator: "/", omittingEmptySubsequences: true).first {
                names.insert(String(name))
            }
        }
        return names.isEmpty ? nil : Array(names)
    }
}
