/// Where configuration files come from: the disk in production, memory in tests.
///
/// Paths are absolute or relative to the process's working directory, as nginx opens them.
public protocol NginxFileReader: Sendable {
    /// The bytes of the regular file at `path`.
    func readFile(atPath path: String) throws(NginxFileReadError) -> [UInt8]
    /// The names (not paths) of the entries of the directory at `path`, without `.` and
    /// `..`; nil when `path` is not a readable directory.
    func directoryEntries(atPath path: String) -> [String]?
}

/// Why a file could not be read.
public enum NginxFileReadError: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound
    case isDirectory
    case other(String)

    public var description: String {
        switch self {
        case .notFound: return "no such file"
        case .isDirectory: return "is a directory"
        case .other(let reason): return reason
        }
    }
}
