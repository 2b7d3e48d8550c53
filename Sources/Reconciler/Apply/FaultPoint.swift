import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// TEST-ONLY fault injection: named points in apply where the fault-injection tests make the
/// process die as a power cut or `kill -9` would, to prove that a crash at any step leaves
/// every file wholly old or wholly new and that the next run finishes the job (DESIGN §7).
///
/// The environment variable `RECONCILE_FAULT=<point>` (a raw value below) makes the process
/// send itself SIGKILL when it reaches that point. Nothing else reads it, and without it
/// ``reach(_:)`` does nothing. Operators never set it.
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

    /// The variable the tests set.
    public static let environmentVariable = "RECONCILE_FAULT"

    /// The point the environment asks for, if any; read once per process.
    static let armed: FaultPoint? = ProcessInfo.processInfo.environment[environmentVariable].flatMap(FaultPoint.init)

    /// Dies here (SIGKILL, no cleanup, no journal line) when the tests asked for this point.
    static func reach(_ point: FaultPoint) {
        guard armed == point else { return }
        kill(getpid(), SIGKILL)
    }
}
