import DNS
import DesiredState
import Nginx

/// Why a plan or an apply could not be made. Each case says what to do about it.
public enum ReconcileError: Error, Sendable, CustomStringConvertible {
    /// The desired state is invalid.
    case desiredState(DesiredStateError)
    /// nginx's configuration could not be read or parsed.
    case nginx(NginxError)
    /// A DNS server could not be read or written.
    case dns(zone: String, DNSError)
    /// The zone file could not be read, parsed or written.
    case zoneFile(ZoneFileError)
    /// The TSIG key file could not be used.
    case tsigKey(path: String, reason: String)
    /// A saved plan no longer matches the world (exit 3).
    case stalePlan([String])
    /// The plan exceeds the safety limit (exit 3).
    case safetyLimit(String)
    /// Another apply holds the lock (exit 3).
    case lockHeld(path: String, waited: Double)
    /// Not confirmed (exit 3).
    case notConfirmed(String)
    /// An apply step failed; `restored` says whether files were put back.
    case applyFailed(step: String, reason: String, restored: Bool)
    /// A file could not be written (create, write, fsync or rename), with the system's reason.
    case cannotWrite(path: String, reason: String)
    /// `--interval` is not a systemd time span.
    case invalidInterval(String)
    /// A path that must be absolute in a unit file is not.
    case relativePath(option: String, path: String)
    /// Anything else with a reason.
    case other(String)
    /// Apply refused before touching anything, for the reason given (exit 3).
    case refused(String)

    /// The process exit code DESIGN §2 gives this error.
    public var exitCode: Int32 {
        switch self {
        case .stalePlan, .safetyLimit, .lockHeld, .notConfirmed, .refused: 3
        default: 1
        }
    }

    public var description: String {
        switch self {
        case .desiredState(let e): return e.description
        case .nginx(let e): return e.description
        case .dns(let zone, let e): return "zone \(zone): \(e)"
        case .zoneFile(let e): return e.description
        case .tsigKey(let path, let reason): return "\(path): cannot use the TSIG key: \(reason)"
        case .stalePlan(let reasons):
            return "the saved plan is stale; run `reconcile plan` again:\n"
                + reasons.map { "  - \($0)" }.joined(separator: "\n")
        case .safetyLimit(let reason): return "refused by the safety limit: \(reason) (use --force if this is intended)"
        case .lockHeld(let path, let waited):
            return "another reconcile apply holds \(path); gave up after \(Int(waited))s (see --lock-timeout)"
        case .notConfirmed(let reason): return reason
        case .applyFailed(let step, let reason, let restored):
            return "\(step) failed: \(reason)"
                + (restored ? "\nevery nginx file was restored byte for byte; DNS was not changed by this step" : "")
        case .cannotWrite(let path, let reason): return "\(path): cannot write: \(reason)"
        case .invalidInterval(let text):
            return "invalid interval \"\(text)\" (expected a systemd time span such as 5min, 90s or 1h 30min)"
        case .relativePath(let option, let path): return "\(option) \(path): a systemd unit needs an absolute path"
        case .other(let reason): return reason
        case .refused(let reason): return reason
        }
    }
}
