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
/// on with SIGCONT. The command reads them at start (``FaultInjection/fromEnvironment(_:)``) and
/// apply reaches the points through ``HostEffects/reach(_:)``. Operators never set them.
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
}

/// The fault a test armed: a point, how many times it must be reached, and the signal. The
/// command reads it from the environment once, at start, and hands it to ``SystemEffects``;
/// nothing on the write path reads the environment.
public final class FaultInjection: Sendable {
    public let point: FaultPoint
    public let count: Int
    public let signal: Int32
    private let reached = Mutex(0)

    public init(point: FaultPoint, count: Int = 1, signal: Int32 = SIGKILL) {
        self.point = point
        self.count = max(1, count)
        self.signal = signal
    }

    /// The fault `RECONCILE_FAULT=<point>[@N]` and `RECONCILE_FAULT_SIGNAL` ask for, if any.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> FaultInjection?
    {
        guard let text = environment[FaultPoint.environmentVariable] else { return nil }
        let parts = text.split(separator: "@", maxSplits: 1)
        guard let name = parts.first, let point = FaultPoint(rawValue: String(name)) else { return nil }
        let count = parts.count == 2 ? Int(parts[1]) ?? 1 : 1
        return FaultInjection(
            point: point, count: count, signal: environment[FaultPoint.signalVariable] == "STOP" ? SIGSTOP : SIGKILL)
    }

    /// Dies (SIGKILL, no cleanup, no journal line) or freezes (SIGSTOP) here when this is the
    /// armed point, reached the armed number of times.
    public func reach(_ point: FaultPoint) {
        guard point == self.point else { return }
        let times = reached.withLock { times in
            times += 1
            return times
        }
        guard times == count else { return }
        // raise() signals this thread: it is stopped (or killed) before it returns, where a
        // signal sent to the process may be taken by another thread while this one goes on.
        raise(signal)
    }
}
