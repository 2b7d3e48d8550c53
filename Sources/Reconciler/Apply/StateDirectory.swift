import ContainedFiles
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// apply's own files (DESIGN §7): the lock, backups of every file it changes, the journal.
/// Kept outside nginx's tree so no include glob can pick a backup up. Every file in it is
/// written through ``ContainedFile`` under the output rule: never through a symlink, never
/// into a directory another user can write.
public struct StateDirectory: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Opens the directory, creating it (mode 0700) when missing.
    func open() throws(ReconcileError) -> OpenDirectory {
        let directory: OpenDirectory
        do {
            directory = try OpenDirectory.open(path, rule: .output, createMode: 0o700)
        } catch {
            throw .other("cannot create the state directory \(path): \(error)")
        }
        do {
            // Its markers and backups decide what the next apply does: nobody else may swap them.
            try directory.requireOwnerOnlyWritable()
        } catch {
            throw .other("the state directory: \(error)")
        }
        return directory
    }

    /// Creates the directory (mode 0700) when missing.
    public func prepare() throws(ReconcileError) { _ = try open() }

    /// Takes the exclusive lock, waiting up to `timeout` seconds. The lock is released when
    /// the returned value is released (or the process exits).
    public func lock(timeout: Double) throws(ReconcileError) -> Lock {
        let directory = try open()
        let lockPath = path + "/lock"
        let fd = openat(directory.descriptor, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .other("cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        let start = Date()
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                close(fd)
                throw .other("cannot lock \(lockPath): \(String(cString: strerror(errno)))")
            }
            if Date().timeIntervalSince(start) >= timeout {
                close(fd)
                throw .lockHeld(path: lockPath, waited: timeout)
            }
            usleep(50_000)
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { Glibc.write(fd, $0, strlen($0)) }
        return Lock(fd: fd)
    }

    /// Whether another process holds the lock now (an apply is running). Creates nothing: a
    /// lock file that is missing or unreadable counts as not held.
    public func isLockedByAnotherProcess() -> Bool {
        let fd = Glibc.open(path + "/lock", O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK }
        flock(fd, LOCK_UN)
        return false
    }

    /// One file to back up: where it is and the bytes it held.
    public struct BackupFile: Sendable {
        public var path: String
        public var bytes: [UInt8]
    }

    /// Copies each file's bytes into a new backup folder (mode 0700, in `backups/`, 0700
    /// whatever the state directory's mode); each copy keeps its original's mode and owner, so
    /// a 0600 file is not world-readable in its backup. Returns the folder's path.
    public func backup(_ files: [BackupFile], label: String) throws(ReconcileError) -> String {
        let folderPath = "\(path)/backups/\(label)"
        do {
            let folder = try open().subdirectory("backups", mode: 0o700).subdirectory(label, mode: 0o700)
            var manifest = ""
            for (index, file) in files.enumerated() {
                let name = "\(index)-" + (file.path as NSString).lastPathComponent
                var original = stat()
                let known = stat(file.path, &original) == 0
                let options = ContainedFile.Options(
                    newFileMode: 0o600, owner: known ? (original.st_uid, original.st_gid) : nil,
                    mode: known ? original.st_mode & 0o7777 : 0o600)
                try ContainedFile.write(file.bytes, in: folder, name: name, options: options)
                manifest += "\(name)\t\(file.path)\n"
            }
            try ContainedFile.write(
                Array(manifest.utf8), in: folder, name: "MANIFEST", options: .init(newFileMode: 0o600))
        } catch {
            throw .other("cannot back up to \(folderPath): \(error)")
        }
        return folderPath
    }

    /// Removes the backups of all but the newest `keep` applies; returns the folders removed.
    /// A backup folder is named `<apply start>-<phase>-<pid>`: the folders of one apply share
    /// its start and pid.
    public func pruneBackups(keep: Int) -> [String] {
        guard let root = try? open(), let backups = root.existingSubdirectory("backups") else { return [] }
        var applies: [String: [String]] = [:]
        for name in backups.names() {
            guard let apply = Self.applyOfBackup(name) else { continue }
            applies[apply, default: []].append(name)
        }
        let old = applies.keys.sorted().dropLast(max(0, keep))
        var removed: [String] = []
        for apply in old {
            for name in applies[apply, default: []].sorted() {
                backups.removeTree(name)
                removed.append(backups.path(of: name))
            }
        }
        return removed
    }

    /// `<time>-<pid>` of a backup folder named `<time>-<phase>-<pid>`; nil for other names.
    static func applyOfBackup(_ name: String) -> String? {
        let parts = name.split(separator: "-")
        guard parts.count >= 3, let pid = parts.last, pid.allSatisfy(\.isNumber),
            let phase = parts.dropLast().last, Action.Phase.allCases.contains(where: { "\($0)" == phase })
        else { return nil }
        return parts.dropLast(2).joined(separator: "-") + "-" + pid
    }

    /// Appends one JSON line to the journal.
    public func journal(_ entry: JournalEntry) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(entry) else { return }
        line.append(0x0A)
        try? open().append(Array(line), to: "journal.jsonl")
    }

    /// An exclusive flock, released on deinit.
    public final class Lock: @unchecked Sendable {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
        deinit {
            flock(fd, LOCK_UN)
            close(fd)
        }
    }
}

/// One apply, as recorded in the journal.
public struct JournalEntry: Sendable, Codable {
    public struct Step: Sendable, Codable {
        public var action: Action
        public var result: String
    }

    public var time: String
    public var desired: DesiredFingerprint
    public var steps: [Step]
    public var result: String
    public var error: String?
    public var durationsMs: [String: Int]
    /// Backup folders this apply removed (older than the last `--keep-backups` applies).
    public var prunedBackups: [String]?
    /// The version of reconcile that ran the apply (nil in entries written before it was recorded).
    public var reconcileVersion: String? = ReconcileVersion.current

    enum CodingKeys: String, CodingKey {
        case time, desired, steps, result, error
        case prunedBackups = "pruned_backups"
        case reconcileVersion = "reconcile_version"
        case durationsMs = "durations_ms"
    }
}
