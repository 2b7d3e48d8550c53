/// What can go wrong writing the metrics file or installing the systemd units; each case names
/// the value and the path so the message is actionable on its own.
public enum OperationsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A file could not be written (create, write, fsync or rename), with the system's reason.
    case cannotWrite(path: String, reason: String)
    /// `--interval` is not a systemd time span.
    case invalidInterval(String)
    /// A path that must be absolute in a unit file is not.
    case relativePath(option: String, path: String)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .invalidInterval(let text):
            return "invalid interval \"\(text)\" (expected a systemd time span such as 5min, 90s or 1h 30min)"
        case .relativePath(let option, let path):
            return "\(option) \(path): a systemd unit needs an absolute path"
        }
    }
}
