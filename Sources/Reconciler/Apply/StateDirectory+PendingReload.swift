import Foundation

/// The marker an nginx phase keeps in the state directory from its first write until its
/// reload is confirmed. A fresh plan reads the files on disk, not what nginx loaded, so after
/// a crash between writing and reloading it would see nothing to do for nginx and go on to
/// advertise sockets nginx never opened (the outage of DESIGN §1). The marker tells the next
/// apply to test, reload and verify first.
public struct PendingReload: Sendable, Codable {
    /// The actions of the interrupted phase (their sockets are checked after the reload).
    public var actions: [Action]
    /// Where the interrupted phase backed the files up.
    public var backup: String
}

extension StateDirectory {
    var pendingReloadPath: String { path + "/pending-reload.json" }

    /// Records that `actions` are being written to nginx's files and not yet reloaded.
    func markPendingReload(_ actions: [Action], backup: String) throws(ReconcileError) {
        let marker = PendingReload(actions: actions, backup: backup)
        do {
            try JSONEncoder().encode(marker).write(to: URL(fileURLWithPath: pendingReloadPath), options: .atomic)
        } catch {
            throw .other("cannot write \(pendingReloadPath): \((error as NSError).localizedDescription)")
        }
    }

    /// The marker an interrupted apply left, if any.
    public func pendingReload() -> PendingReload? {
        guard let data = FileManager.default.contents(atPath: pendingReloadPath) else { return nil }
        return try? JSONDecoder().decode(PendingReload.self, from: data)
    }

    func clearPendingReload() {
        try? FileManager.default.removeItem(atPath: pendingReloadPath)
    }
}
