#if canImport(Glibc)
    import Glibc
#endif

/// A directory held open by descriptor. Everything done in it (read, create, rename, remove)
/// is relative to the descriptor, so the path it was found by is resolved once: a symlink or
/// directory swapped afterwards cannot redirect what follows.
public final class OpenDirectory: @unchecked Sendable {
    /// The descriptor (closed when this value is released).
    public let descriptor: Int32
    /// The path it was reached by, symlinks resolved (for messages).
    public let path: String

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// Opens the directory `path` resolves to under `rule`, creating missing directories
    /// (with `createMode`) when it is given.
    public static func open(_ path: String, rule: WriteRule, createMode: mode_t? = nil) throws(ContainedWriteError)
        -> OpenDirectory
    {
        try PathWalker(rule: rule, shownPath: path).directory(path, createMode: createMode)
    }

    /// Refuses a directory users other than its owner can write (unless it is sticky): the
    /// output rule, for a directory that files are then written into by name.
    public func requireOwnerOnlyWritable() throws(ContainedWriteError) {
        try ContainedFile.checkPrivate(self, existing: nil, path: self.path(of: "*"))
    }

    /// The path of `name` in this directory, for messages.
    public func path(of name: String) -> String { path == "/" ? "/" + name : path + "/" + name }

    /// Device and inode of the directory itself.
    public func identity() -> FileIdentity? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? FileIdentity(info) : nil
    }

    /// The status of `name` here, not following a symlink; nil when it does not exist.
    public func status(of name: String) throws(ContainedWriteError) -> stat? {
        var info = stat()
        if fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 { return info }
        if errno == ENOENT { return nil }
        throw ContainedWriteError(
            path: path(of: name), reason: .system(operation: "stat \(path(of: name))", errno: errno))
    }

    /// The bytes of the regular file `name` here (a symlink is not followed); nil when it does
    /// not exist.
    public func read(_ name: String) throws(ContainedWriteError) -> [UInt8]? {
        do {
            return try RegularFileReader.read(name: name, in: descriptor)
        } catch {
            switch error {
            case .notFound: return nil
            case .notRegular, .tooLarge: throw ContainedWriteError(path: path(of: name), reason: .notRegularFile)
            case .system(let operation, let code):
                throw ContainedWriteError(
                    path: path(of: name), reason: .system(operation: "\(operation) \(path(of: name))", errno: code))
            }
        }
    }

    /// Opens (creating it with `mode` when missing) the subdirectory `name`, never through a
    /// symlink. A directory the running user owns is given `mode` if it has another.
    public func subdirectory(_ name: String, mode: mode_t) throws(ContainedWriteError) -> OpenDirectory {
        if mkdirat(descriptor, name, mode) != 0 && errno != EEXIST {
            throw ContainedWriteError(
                path: path(of: name), reason: .system(operation: "create the directory \(path(of: name))", errno: errno)
            )
        }
        let fd = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let reason: ContainedWriteError.Reason =
                errno == ELOOP || errno == ENOTDIR
                ? .notRegularFile : .system(operation: "open \(path(of: name))", errno: errno)
            throw ContainedWriteError(path: path(of: name), reason: reason)
        }
        var info = stat()
        if fstat(fd, &info) == 0 && info.st_uid == geteuid() && info.st_mode & 0o7777 != mode {
            fchmod(fd, mode)
        }
        return OpenDirectory(descriptor: fd, path: path(of: name))
    }

    /// The names in this directory (without `.` and `..`).
    public func names() -> [String] {
        let fd = dup(descriptor)
        guard fd >= 0, let stream = fdopendir(fd) else { return [] }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes the file `name` (or, with `directory`, the empty directory); true when it is
    /// gone.
    @discardableResult
    public func remove(_ name: String, directory: Bool = false) -> Bool {
        unlinkat(descriptor, name, directory ? AT_REMOVEDIR : 0) == 0 || errno == ENOENT
    }

    /// Removes the directory `name` and everything in it, never following a symlink.
    public func removeTree(_ name: String) {
        if let child = existingSubdirectory(name) {
            for entry in child.names() {
                if (try? child.status(of: entry))?.map({ $0.st_mode & S_IFMT == S_IFDIR }) == true {
                    child.removeTree(entry)
                } else {
                    child.remove(entry)
                }
            }
        }
        remove(name, directory: true)
    }

    /// The subdirectory `name` when it exists (never through a symlink); nil otherwise.
    public func existingSubdirectory(_ name: String) -> OpenDirectory? {
        let fd = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        return OpenDirectory(descriptor: fd, path: path(of: name))
    }

    /// Appends `bytes` to the file `name` (created with `mode`, never through a symlink) and
    /// flushes it.
    public func append(_ bytes: [UInt8], to name: String, mode: mode_t = 0o600) throws(ContainedWriteError) {
        let fd = openat(descriptor, name, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw ContainedWriteError(
                path: path(of: name), reason: .system(operation: "open \(path(of: name))", errno: errno))
        }
        defer { close(fd) }
        try FileBytes.writeAll(bytes, to: fd, path: path(of: name))
        fsync(fd)
    }

    /// Syncs the directory, so a rename in it survives a crash.
    func sync() { fsync(descriptor) }
}

/// Device and inode: which file a name denotes, whatever its path.
public struct FileIdentity: Sendable, Hashable {
    public let device: UInt64
    public let inode: UInt64

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

enum FileBytes {
    static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(ContainedWriteError) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw ContainedWriteError(path: path, reason: .system(operation: "write \(path)", errno: errno))
            }
            written += count
        }
    }
}
