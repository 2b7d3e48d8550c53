import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The marker an apply keeps in the state directory from its start until its journal line is
/// written. A process killed in between (SIGKILL, power cut, OOM killer) writes no journal
/// line; the next apply, holding the lock, finds the marker and journals the interrupted run
/// as `"result": "interrupted"`, so every apply that began executing a plan has its line.
public struct ApplyInProgress: Sendable, Codable {
    /// When the apply started (ISO 8601).
    public var time: String
    /// The apply's process.
    public var pid: Int32
    /// The desired state its plan was made from.
    public var desired: DesiredFingerprint
    /// The actions it set out to do.
    public var actions: [Action]
}

extension StateDirectory {
    var applyInProgressPath: String { path + "/apply-in-progress.json" }

    /// Records that an apply of `plan` starts now.
    func markApplyInProgress(_ plan: Plan, started: Date) throws(ReconcileError) {
        let marker = ApplyInProgress(
            time: ISO8601DateFormatter().string(from: started), pid: getpid(), desired: plan.desired,
            actions: plan.actions)
        try writeMarker(marker, to: applyInProgressPath)
    }

    func clearApplyInProgress() { removeMarker(at: applyInProgressPath) }

    /// Journals an apply that started and never finished, if the last one left its marker,
    /// and returns a note saying so. Call with the lock held: a marker seen then belongs to a
    /// process that is gone.
    public func journalInterruptedApply() -> String? {
        guard let data = FileManager.default.contents(atPath: applyInProgressPath) else { return nil }
        defer { clearApplyInProgress() }
        guard let marker = try? JSONDecoder().decode(ApplyInProgress.self, from: data) else {
            return "note: \(applyInProgressPath) was unreadable and is removed; an earlier apply may not have finished"
        }
        let reason =
            "the apply (process \(marker.pid)) stopped before it finished (killed or crashed); how far it got is not recorded: the next plan shows what it left"
        journal(
            JournalEntry(
                time: marker.time, desired: marker.desired,
                steps: marker.actions.map { JournalEntry.Step(action: $0, result: "unknown") }, result: "interrupted",
                error: reason, durationsMs: [:]))
        return
            "note: the apply started at \(marker.time) (process \(marker.pid)) did not finish; the journal now records it as interrupted"
    }
}
