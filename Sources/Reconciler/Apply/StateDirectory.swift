import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// apply's own files (DESIGN §7): the lock, backups of every file it changes, the journal.
/// Kept outside nginx's tree so no include glob can pick a backup up.
public struct StateDirectory: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Creates the directory (mode 0700) when missing.
    public func prepare() throws(ReconcileError) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .other("cannot create the state directory \(path): \((error as NSError).localizedDescription)")
        }
    }

    /// Takes the exclusive lock, waiting up to `timeout` seconds. The lock is released when
    /// the returned value is released (or the process exits).
    public func lock(timeout: Double) throws(ReconcileError) -> Lock {
        try prepare()
        let lockPath = path + "/lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
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
        let fd = open(path + "/lock", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK }
        flock(fd, LOCK_UN)
        return false
    }

    /// Copies each file's current bytes into a new backup folder; returns its path.
    public func backup(_ files: [(path: String, bytes: [UInt8])], label: String) throws(ReconcileError) -> String {
        let folder = "\(path)/backups/\(label)"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var manifest = ""
            for (index, file) in files.enumerated() {
                let name = "\(index)-" + (file.path as NSString).lastPathComponent
                try Data(file.bytes).write(to: URL(fileURLWithPath: folder + "/" + name), options: .atomic)
                manifest += "\(name)\t\(file.path)\n"
            }
            try Data(manifest.utf8).write(to: URL(fileURLWithPath: folder + "/MANIFEST"), options: .atomic)
        } catch {
            throw .other("cannot back up to \(folder): \((error as NSError).localizedDescription)")
        }
        return folder
    }

    /// Appends one JSON line to the journal.
    public func journal(_ entry: JournalEntry) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(entry) else { return }
        line.append(0x0A)
        let fd = open(path + "/journal.jsonl", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
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

    enum CodingKeys: String, CodingKey {
        case time, desired, steps, result, error
        case durationsMs = "durations_ms"
    }
}
