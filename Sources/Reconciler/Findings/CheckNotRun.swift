/// A check the run could not do, and why (the plan's `checks_not_run`): a plan that could not
/// see must not say "In sync" as if it had.
public struct CheckNotRun: Sendable, Hashable, Codable {
    /// The slug of the finding the check would report (`config-not-loaded`).
    public var check: String
    /// Why it did not run, as a sentence: "cannot read nginx's pid file /run/nginx.pid as user nobody".
    public var reason: String

    public init(check: FindingKind, reason: String) {
        self.init(check: check.slug, reason: reason)
    }

    /// A check that is no finding of its own: `pending-reload` (what an interrupted apply left
    /// for nginx or the DNS server to load, read from apply's state directory).
    public init(check: String, reason: String) {
        self.check = check
        self.reason = reason
    }

    /// The slug of the check for reloads an interrupted apply still owes.
    public static let pendingReload = "pending-reload"

    /// One line of text output: the reason, then what was not checked.
    public var line: String { "\(reason): \(check) not checked" }
}
