/// Where configuration files come from: the disk in production, memory in tests.
///
/// Paths are absolute or relative to the process's working directory, as nginx opens them.
public protocol NginxFileReader: Sendable {
    /// The bytes of the regular file at `path`; a file of more than `maxBytes` bytes is
    /// ``NginxFileReadError/tooLarge(limit:)`` without reading past the limit.
    func readFile(atPath path: String, maxBytes: Int) throws(NginxFileReadError) -> [UInt8]
    /// The names (not paths) of the entries of the directory at `path`, without `.` and
    /// `..`; nil when `path` is not a readable directory.
    func directoryEntries(atPath path: String) -> [String]?
}

/// Why a file could not be read.
public enum NginxFileReadError: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound
    case isDirectory
    /// Not a regular file (a FIFO, a device, a socket, a file of /proc or /sys); `kind` says
    /// which, as in "a character device".
    case notRegularFile(kind: String)
    /// Larger than the `maxBytes` asked for.
    case tooLarge(limit: Int)
    case other(String)

    public var description: String {
        switch self {
        case .notFound: return "no such file"
        case .isDirectory: return "is a directory"
        case .notRegularFile(let kind): return "it is \(kind), not a regular file (include reads only regular files)"
        case .tooLarge(let limit): return "it is larger than the limit of \(limit) bytes"
        case .other(let reason): return reason
        }
    }
}
