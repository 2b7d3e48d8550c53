#if canImport(Glibc)
    import Glibc
#endif

/// The one way reconcile writes a file (DESIGN §13): the target's directory is opened once by
/// walking the path without letting the kernel follow symlinks (``PathWalker``), containment
/// is checked on the directory opened, a temporary file is created in that directory with
/// `O_EXCL`, written, given the old file's owner and mode, fsynced, and renamed over the target
/// in the same directory. Right before the rename the target is checked again: the same file
/// (device and inode) as when the write began and, when the caller says what it must hold, the
/// same bytes. A reader or a crash sees the old bytes or the new ones, never a mix, and nothing
/// resolves the path a second time between the check and the write.
public enum ContainedFile {
    /// What else a write does.
    public struct Options: Sendable {
        /// The bytes the target must hold right before it is replaced (what the plan read);
        /// nil for no check. An empty array with `mustExist` false accepts a missing file.
        public var expected: [UInt8]?
        /// Mode of a file that does not exist yet (an existing file keeps its own).
        public var newFileMode: mode_t
        /// Owner and group to give the file; nil keeps the existing file's (or the running
        /// user's for a new file).
        public var owner: (uid: uid_t, gid: gid_t)?
        /// Mode to give the file whatever it had; nil keeps the existing file's.
        public var mode: mode_t?
        /// The modification time to give the file (a restore gives the old one back).
        public var modified: timespec?
        /// Called after the temporary file is flushed and before the target is checked and
        /// renamed: the tests' fault-injection point.
        public var beforeRename: @Sendable () -> Void

        public init(
            expected: [UInt8]? = nil, newFileMode: mode_t = 0o644, owner: (uid: uid_t, gid: gid_t)? = nil,
            mode: mode_t? = nil, modified: timespec? = nil, beforeRename: @escaping @Sendable () -> Void = {}
        ) {
            self.expected = expected
            self.newFileMode = newFileMode
            self.owner = owner
            self.mode = mode
            self.modified = modified
            self.beforeRename = beforeRename
        }
    }

    /// A file a write replaced: the directory it was opened in and its name there. A restore
    /// goes through this, not through the path again, so it lands where the write did.
    public struct WrittenFile: Sendable {
        public let directory: OpenDirectory
        public let name: String
        /// The modification time of the file it replaced (a restore gives it back); nil when
        /// there was none.
        public let replacedModification: timespec?
        /// The file written, symlinks resolved.
        public var path: String { directory.path(of: name) }
    }

    /// Replaces the file `path` names with `bytes` under `rule`; returns where it was written
    /// (a symlink's target under the tree rule).
    @discardableResult
    public static func write(_ bytes: [UInt8], to path: String, rule: WriteRule, options: Options = Options())
        throws(ContainedWriteError) -> WrittenFile
    {
        let walker = PathWalker(rule: rule, shownPath: path)
        let (directory, name) = try walker.parent(of: path)
        let existing = try directory.status(of: name)
        switch rule {
        case .tree(let roots, let allowOutside):
            let inside = try contains(directory, roots: roots, path: path)
            if !allowOutside && !inside {
                throw ContainedWriteError(
                    path: path, reason: .outsideRoots(target: directory.path(of: name), roots: roots))
            }
        case .output:
            try checkPrivate(directory, existing: existing, path: path)
        }
        try write(bytes, in: directory, name: name, existing: existing, shownPath: path, options: options)
        return WrittenFile(directory: directory, name: name, replacedModification: existing?.st_mtim)
    }

    /// Replaces a file written before (a restore): in the same directory, under the same name.
    public static func write(_ bytes: [UInt8], over file: WrittenFile, options: Options = Options())
        throws(ContainedWriteError)
    {
        try write(bytes, in: file.directory, name: file.name, options: options)
    }

    /// Replaces the file `name` in an already opened `directory` (see ``write(_:to:rule:options:)``).
    public static func write(_ bytes: [UInt8], in directory: OpenDirectory, name: String, options: Options = Options())
        throws(ContainedWriteError)
    {
        let existing = try directory.status(of: name)
        try write(
            bytes, in: directory, name: name, existing: existing, shownPath: directory.path(of: name), options: options)
    }

    /// Where a write of `path` under `rule` would land, and whether the rule allows it there.
    public struct Destination: Sendable, Equatable {
        /// The file written, symlinks resolved.
        public let path: String
        /// False when the file lies outside the tree rule's roots.
        public let allowed: Bool

        public init(path: String, allowed: Bool) {
            self.path = path
            self.allowed = allowed
        }
    }

    /// Resolves `path` as a write would (the same walk, the same checks of symlinks), without
    /// writing; throws what the walk itself refuses (an output path's last symlink, a loop).
    public static func destination(of path: String, rule: WriteRule) throws(ContainedWriteError) -> Destination {
        let (directory, name) = try PathWalker(rule: rule, shownPath: path).parent(of: path)
        guard case .tree(let roots, let allowOutside) = rule else {
            return Destination(path: directory.path(of: name), allowed: true)
        }
        let inside = try contains(directory, roots: roots, path: path)
        return Destination(path: directory.path(of: name), allowed: allowOutside || inside)
    }

    /// The bytes of the file `path` names under `rule` (the same resolution a write makes), or
    /// nil when it does not exist.
    /// Under the tree rule a file outside the roots is refused as a write would be.
    public static func read(_ path: String, rule: WriteRule) throws(ContainedWriteError) -> [UInt8]? {
        let (directory, name) = try PathWalker(rule: rule, shownPath: path).parent(of: path)
        if case .tree(let roots, let allowOutside) = rule, !allowOutside {
            let inside = try contains(directory, roots: roots, path: path)
            guard inside else {
                throw ContainedWriteError(
                    path: path, reason: .readOutsideRoots(target: directory.path(of: name), roots: roots))
            }
        }
        return try directory.read(name)
    }

    static func write(
        _ bytes: [UInt8], in directory: OpenDirectory, name: String, existing: stat?, shownPath: String,
        options: Options
    ) throws(ContainedWriteError) {
        func failure(_ operation: String, _ code: Int32 = errno) -> ContainedWriteError {
            ContainedWriteError(path: shownPath, reason: .system(operation: operation, errno: code))
        }
        if let existing, existing.st_mode & S_IFMT != S_IFREG {
            throw ContainedWriteError(path: shownPath, reason: .notRegularFile)
        }
        try verify(directory, name: name, identity: existing.map(FileIdentity.init), options: options, path: shownPath)
        removeAbandonedTemporaries(in: directory, name: name)
        // A leading dot keeps the temporary file out of nginx's include globs (`*.conf`, `*`).
        let temporary = ".\(name).reconcile-\(getpid()).tmp"
        unlinkat(directory.descriptor, temporary, 0)
        let fd = openat(directory.descriptor, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("create \(directory.path(of: temporary))") }
        var renamed = false
        defer { if !renamed { unlinkat(directory.descriptor, temporary, 0) } }
        let shownTemporary = directory.path(of: temporary)
        do {
            defer { close(fd) }
            try FileBytes.writeAll(bytes, to: fd, path: shownTemporary)
            let mode = options.mode ?? existing.map { $0.st_mode & 0o7777 } ?? options.newFileMode
            guard fchmod(fd, mode) == 0 else { throw failure("chmod \(String(mode, radix: 8)) \(shownTemporary)") }
            let owner = options.owner ?? existing.map { (uid: $0.st_uid, gid: $0.st_gid) }
            if let owner, owner.uid != geteuid() || owner.gid != getegid() {
                guard fchown(fd, owner.uid, owner.gid) == 0 else {
                    throw failure("give \(shownTemporary) the owner \(owner.uid):\(owner.gid) of \(shownPath)")
                }
            }
            if let modified = options.modified {
                // The access time is left alone (UTIME_OMIT, a macro Swift does not import).
                let omit = (1 << 30) - 2
                let times = [timespec(tv_sec: 0, tv_nsec: omit), modified]
                _ = times.withUnsafeBufferPointer { futimens(fd, $0.baseAddress) }
            }
            guard fsync(fd) == 0 else { throw failure("flush \(shownTemporary) to disk") }
        }
        options.beforeRename()
        try verify(directory, name: name, identity: existing.map(FileIdentity.init), options: options, path: shownPath)
        guard renameat(directory.descriptor, temporary, directory.descriptor, name) == 0 else {
            throw failure("replace \(directory.path(of: name)) with \(shownTemporary)")
        }
        renamed = true
        directory.sync()
    }

    /// The target still is the file the write began with (or still absent) and, when the
    /// options say, still holds the expected bytes.
    static func verify(
        _ directory: OpenDirectory, name: String, identity: FileIdentity?, options: Options, path: String
    )
        throws(ContainedWriteError)
    {
        let now = try directory.status(of: name)
        let nowIdentity = now.map(FileIdentity.init)
        guard nowIdentity == identity else {
            throw ContainedWriteError(
                path: path,
                reason: .changed(identity == nil ? "a file appeared there" : "it was replaced by another file"))
        }
        if let expected = options.expected {
            guard identity != nil else {
                throw ContainedWriteError(path: path, reason: .changed("it no longer exists"))
            }
            guard try directory.read(name) == expected else {
                throw ContainedWriteError(path: path, reason: .changed("its contents differ from what the plan read"))
            }
        }
    }

    /// Whether `directory` is one of `roots` or lies beneath one: its `..` chain is walked up
    /// from the descriptor itself, comparing device and inode.
    static func contains(_ directory: OpenDirectory, roots: [String], path: String) throws(ContainedWriteError) -> Bool
    {
        var allowed = Set<FileIdentity>()
        for root in roots {
            var info = stat()
            if stat(root, &info) == 0 { allowed.insert(FileIdentity(info)) }
        }
        var current = dup(directory.descriptor)
        guard current >= 0 else {
            throw ContainedWriteError(
                path: path, reason: .system(operation: "check where \(directory.path) lies", errno: errno))
        }
        defer { close(current) }
        while true {
            var info = stat()
            guard fstat(current, &info) == 0 else { return false }
            if allowed.contains(FileIdentity(info)) { return true }
            let parent = openat(current, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard parent >= 0 else { return false }
            var parentInfo = stat()
            fstat(parent, &parentInfo)
            if FileIdentity(parentInfo) == FileIdentity(info) {
                close(parent)
                return false
            }
            close(current)
            current = parent
        }
    }

    /// The output rule's check of the directory a file goes into.
    static func checkPrivate(_ directory: OpenDirectory, existing: stat?, path: String) throws(ContainedWriteError) {
        var info = stat()
        guard fstat(directory.descriptor, &info) == 0 else {
            throw ContainedWriteError(path: path, reason: .system(operation: "stat \(directory.path)", errno: errno))
        }
        guard info.st_mode & 0o022 != 0 else { return }
        let sticky = info.st_mode & S_ISVTX != 0
        if sticky && (existing == nil || existing?.st_uid == geteuid()) { return }
        throw ContainedWriteError(
            path: path, reason: .sharedDirectory(directory: directory.path, mode: UInt32(info.st_mode & 0o7777)))
    }

    /// Removes the temporary files of `name` left by a writer that died between writing and
    /// renaming (a crash, `kill -9`): their process no longer exists.
    static func removeAbandonedTemporaries(in directory: OpenDirectory, name: String) {
        let prefix = ".\(name).reconcile-"
        for entry in directory.names() where entry.hasPrefix(prefix) && entry.hasSuffix(".tmp") {
            guard let pid = Int32(entry.dropFirst(prefix.count).dropLast(4)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlinkat(directory.descriptor, entry, 0) }
        }
    }
}
