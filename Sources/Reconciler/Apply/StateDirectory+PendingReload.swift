import ContainedFiles
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
        try writeMarker(PendingReload(actions: actions, backup: backup), to: pendingReloadPath)
    }

    /// The marker an interrupted apply left, if any.
    public func pendingReload() -> PendingReload? { readMarker(PendingReload.self, at: pendingReloadPath) }

    func clearPendingReload() { removeMarker(at: pendingReloadPath) }

    /// Writes a marker file (JSON, atomically, through ``ContainedFile``).
    func writeMarker(_ marker: some Encodable, to markerPath: String) throws(ReconcileError) {
        do {
            let bytes = try JSONEncoder().encode(marker)
            try ContainedFile.write(
                Array(bytes), in: try open(), name: (markerPath as NSString).lastPathComponent,
                options: .init(newFileMode: 0o600))
        } catch let error as ReconcileError {
            throw error
        } catch {
            throw .other("cannot write \(markerPath): \(error)")
        }
    }

    /// A marker file's value; nil when it is missing, unreadable or not a `T`.
    func readMarker<T: Decodable>(_ type: T.Type, at markerPath: String) -> T? {
        guard let data = FileManager.default.contents(atPath: markerPath) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    func removeMarker(at markerPath: String) {
        try? FileManager.default.removeItem(atPath: markerPath)
    }
}

/// The marker the DNS phase keeps while a zone file is written and not yet reloaded (the
/// `zonefile` provider with a reload command): the next plan reads the file and would see
/// nothing left to do while the server still publishes the old zone.
public struct PendingZoneReload: Sendable, Codable {
    /// The zone whose file was written (with its trailing dot).
    public var zone: String
}

extension StateDirectory {
    var pendingZoneReloadPath: String { path + "/pending-zone-reload.json" }

    func markPendingZoneReload(_ zone: String) throws(ReconcileError) {
        try writeMarker(PendingZoneReload(zone: zone), to: pendingZoneReloadPath)
    }

    /// The zone marker an interrupted apply left, if any.
    public func pendingZoneReload() -> PendingZoneReload? {
        readMarker(PendingZoneReload.self, at: pendingZoneReloadPath)
    }

    func clearPendingZoneReload() { removeMarker(at: pendingZoneReloadPath) }

    /// The reloads an interrupted apply left owing, in words, for the plan. A state directory
    /// that is missing or not readable (plan run unprivileged) shows none. With `applyRunning`
    /// (another process holds the lock) the markers are that apply's, still at work.
    public func pendingReloadDescriptions(applyRunning: Bool = false) -> [String] {
        var pending: [String] = []
        if let reload = pendingReload() {
            let count = reload.actions.count
            pending.append(
                "nginx: an apply wrote \(count) listen change\(count == 1 ? "" : "s") to nginx's files (backup in \(reload.backup))"
                    + (applyRunning
                        ? " and is still running (it holds the lock); nginx has not loaded them yet"
                        : " and stopped before nginx loaded them; `reconcile apply` reloads first"))
        }
        if let zone = pendingZoneReload() {
            pending.append(
                "zone \(zone.zone): an apply wrote the zone file"
                    + (applyRunning
                        ? " and is still running (it holds the lock); its reload command has not run yet"
                        : " and stopped before its reload command ran; `reconcile apply` runs it first"))
        }
        return pending
    }
}
