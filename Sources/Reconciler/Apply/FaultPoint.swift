import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// TEST-ONLY fault injection: named points in apply where the fault-injection tests make the
/// process die as a power cut or `kill -9` would, to prove that a crash at any step leaves
/// every file wholly old or wholly new and that the next run finishes the job (DESIGN §7).
///
/// The environment variable `RECONCILE_FAULT=<point>` (a raw value below) makes the process
/// send itself SIGKILL when it reaches that point; `<point>@N` waits for the Nth time it is
/// reached. `RECONCILE_FAULT_SIGNAL=STOP` sends SIGSTOP instead, so a test can act on the
/// world (stop or kill the DNS server) while apply is frozen at that point, then let it go
/// on with SIGCONT. Nothing else reads these, and without them ``reach(_:)`` does nothing.
/// Operators never set them.
public enum FaultPoint: String, Sendable, CaseIterable {
    /// The changed nginx files are backed up; nothing is written yet.
    case afterBackup = "after-backup"
    /// The new bytes are in the temp file beside an nginx file, flushed, not yet renamed.
    case midWrite = "mid-write"
    /// Every nginx file is written and the test command passed; no reload yet.
    case afterTest = "after-test"
    /// The reload command returned; its sockets are not checked yet.
    case afterReload = "after-reload"
    /// One DNS update message (one zone and phase) is answered; the next is not sent.
    case betweenDNSMessages = "between-dns-messages"
    /// The zone file is written; its reload command has not run.
    case afterZoneWrite = "after-zone-write"
    /// An UPDATE message of one zone's batch is about to be sent (every message before it in
    /// the batch is answered). `@2` is the point between the first and second message.
    case beforeUpdateMessage = "before-update-message"

    /// The variable the tests set.
    public static let environmentVariable = "RECONCILE_FAULT"
    /// `STOP` for SIGSTOP; anything else (or nothing) for SIGKILL.
    public static let signalVariable = "RECONCILE_FAULT_SIGNAL"

    /// The point (and how many times it must be reached) the environment asks for, if any;
    /// read once per process.
    static let armed: (point: FaultPoint, count: Int)? = {
        guard let text = ProcessInfo.processInfo.environment[environmentVariable] else { return nil }
        let parts = text.split(separator: "@", maxSplits: 1)
        guard let name = parts.first, let point = FaultPoint(rawValue: String(name)) else { return nil }
        let count = parts.count == 2 ? Int(parts[1]) ?? 1 : 1
        return (point, max(1, count))
    }()

    static let signal: Int32 = ProcessInfo.processInfo.environment[signalVariable] == "STOP" ? SIGSTOP : SIGKILL

    /// How often the armed point has been reached.
    static let reached = Mutex(0)

    /// Dies (SIGKILL, no cleanup, no journal line) or freezes (SIGSTOP) here when the tests
    /// asked for this point.
    static func reach(_ point: FaultPoint) {
        guard let armed, armed.point == point else { return }
        let count = reached.withLock { count in
            count += 1
            return count
        }
        guard count == armed.count else { return }
        // raise() signals this thread: it is stopped (or killed) before it returns, where a
        // signal sent to the process may be taken by another thread while this one goes on.
        raise(signal)
    }
}
