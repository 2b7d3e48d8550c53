import ContainedFiles
import DesiredState
import Foundation

/// A record set apply withdrew, kept in the state directory until its TTL has passed:
/// resolvers may hold the record that long, so the listen it advertised is removed only then
/// (DESIGN §14). A run never sleeps for caches: a later apply (the timer's next run) unserves.
public struct Withdrawal: Sendable, Codable, Hashable {
    public var vhost: String
    public var family: AddressFamily
    /// The owner name withdrawn, with its trailing dot.
    public var name: String
    /// The longest TTL of the records withdrawn.
    public var ttl: UInt32
    /// When the withdrawal was published (ISO 8601).
    public var at: String

    /// When no resolver may still hold the record.
    public var safeAfter: Date {
        (ISO8601DateFormatter().date(from: at) ?? .distantPast).addingTimeInterval(TimeInterval(ttl))
    }
}

extension StateDirectory {
    var withdrawalsPath: String { path + "/withdrawals.json" }

    /// The withdrawals whose listens may not be removed yet (or were not, so far); empty when
    /// none or the directory cannot be read.
    public func withdrawals() -> [Withdrawal] { readMarker([Withdrawal].self, at: withdrawalsPath) ?? [] }

    /// Records `new` withdrawals, replacing earlier ones of the same vhost and family.
    func recordWithdrawals(_ new: [Withdrawal]) throws(ReconcileError) {
        guard !new.isEmpty else { return }
        let replaced = Set(new.map { "\($0.vhost) \($0.family)" })
        let kept = withdrawals().filter { !replaced.contains("\($0.vhost) \($0.family)") }
        try writeMarker(kept + new, to: withdrawalsPath)
    }

    /// Forgets the withdrawals of `unserved` (vhost and family whose listens are gone).
    func clearWithdrawals(of unserved: [Action]) {
        let done = Set(unserved.map { "\($0.vhost) \($0.family)" })
        let left = withdrawals().filter { !done.contains("\($0.vhost) \($0.family)") }
        if left.isEmpty {
            removeMarker(at: withdrawalsPath)
        } else {
            try? writeMarker(left, to: withdrawalsPath)
        }
    }
}
