import DesiredState
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Replaces a file's contents so a reader (or a crash) sees either the old bytes or the new
/// ones, never a mix: temp file in the same directory, fsync, rename, fsync the directory.
/// The new file keeps the old one's owner and mode. A symlink is written through: its
/// target is replaced, the link stays (Debian's sites-enabled holds links).
public enum AtomicFile {
    /// Writes `bytes` to `path`; returns the path actually written (the symlink's target).
    /// `modified` sets the file's modification time (a restore gives the file back its old
    /// one, so nothing looks changed since nginx last loaded it).
    @discardableResult
    public static func write(_ bytes: [UInt8], to path: String, modified: timespec? = nil) throws(ReconcileError)
        -> String
    {
        let target = resolve(path)
        var info = stat()
        let exists = stat(target, &info) == 0
        let directory = (target as NSString).deletingLastPathComponent
        let base = (target as NSString).lastPathComponent
        // A leading dot keeps the temp file out of nginx's include globs (`*.conf`, `*`).
        let temp = "\(directory)/.\(base).reconcile-\(getpid()).tmp"
        removeAbandonedTemps(directory: directory, base: base)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("cannot create \(temp)") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let error = failure("cannot write \(temp)")
                close(fd)
                throw error
            }
            written += n
        }
        if exists {
            fchmod(fd, info.st_mode & 0o7777)
            if fchown(fd, info.st_uid, info.st_gid) != 0 && (info.st_uid != geteuid()) {
                let error = failure("cannot give \(temp) the owner of \(target)")
                close(fd)
                throw error
            }
        } else {
            fchmod(fd, 0o644)
        }
        if let modified {
            // The access time is left alone (UTIME_OMIT, a macro Swift does not import).
            let omit = (1 << 30) - 2
            let times = [timespec(tv_sec: 0, tv_nsec: omit), modified]
            _ = times.withUnsafeBufferPointer { futimens(fd, $0.baseAddress) }
        }
        guard fsync(fd) == 0 else {
            let error = failure("cannot flush \(temp) to disk")
            close(fd)
            throw error
        }
        close(fd)
        FaultPoint.reach(.midWrite)
        guard rename(temp, target) == 0 else { throw failure("cannot replace \(target)") }
        ok = true
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
        return target
    }

    /// Removes the temp files of `base` left by a writer that died between writing and
    /// renaming (a crash, `kill -9`): their process no longer exists.
    static func removeAbandonedTemps(directory: String, base: String) {
        let prefix = ".\(base).reconcile-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            guard let pid = Int32(name.dropFirst(prefix.count).dropLast(4)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink("\(directory)/\(name)") }
        }
    }

    /// Where writing `path` would land when a symlink takes it outside `directory` (the
    /// directory of nginx's main config, symlinks in it resolved); nil when it stays inside or
    /// no symlink is involved. Debian's sites-enabled -> sites-available stays inside.
    public static func symlinkOutside(_ path: String, directory: String) -> String? {
        let target = resolve(path)
        guard target != Paths.normalize(path) else { return nil }
        let root = resolve(directory)
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return target.hasPrefix(prefix) ? nil : target
    }

    /// The file a path finally names, following symlinks; the path itself when it does not
    /// resolve.
    public static func resolve(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }

    /// The modification time of the file `path` finally names, or nil.
    public static func modificationTime(_ path: String) -> timespec? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mtim
    }

    /// The bytes of `path`, or nil when it cannot be read.
    public static func read(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return [UInt8](data)
    }

    static func failure(_ what: String) -> ReconcileError {
        .other("\(what): \(String(cString: strerror(errno)))")
    }
}
