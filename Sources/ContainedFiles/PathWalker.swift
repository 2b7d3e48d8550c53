#if canImport(Glibc)
    import Glibc
#endif

/// Resolves a path one component at a time from an open directory descriptor, never letting
/// the kernel follow a symlink on its own (`O_NOFOLLOW` on every open): each symlink met is
/// read and judged under the write rule, and what is finally returned is the directory that
/// was actually opened, so no second resolution of the path can differ from the one checked.
struct PathWalker {
    let rule: WriteRule
    /// The path as the caller gave it, for messages.
    let shownPath: String

    static let symlinkLimit = 40

    func error(_ reason: ContainedWriteError.Reason) -> ContainedWriteError {
        ContainedWriteError(path: shownPath, reason: reason)
    }

    /// The directory holding the file `path` names and the file's name in it. The last
    /// component is followed when it is a symlink only under ``WriteRule/tree(roots:allowOutside:)``.
    func parent(of path: String) throws(ContainedWriteError) -> (directory: OpenDirectory, name: String) {
        var pending = Self.components(of: Self.absolute(path)).reversed() as [String]
        var directory = try root()
        var links = 0
        while let component = pending.popLast() {
            guard pending.isEmpty, component != ".", component != ".." else {
                directory = try descend(
                    into: component, from: directory, pending: &pending, links: &links, createMode: nil)
                continue
            }
            guard let info = try directory.status(of: component), info.st_mode & S_IFMT == S_IFLNK else {
                return (directory, component)
            }
            guard case .tree = rule else { throw error(.finalSymlink) }
            directory = try follow(component, in: directory, pending: &pending, links: &links)
        }
        throw error(.notRegularFile)
    }

    /// The directory `path` names, creating each missing component with `createMode`.
    func directory(_ path: String, createMode: mode_t?) throws(ContainedWriteError) -> OpenDirectory {
        var pending = Self.components(of: Self.absolute(path)).reversed() as [String]
        var directory = try root()
        var links = 0
        while let component = pending.popLast() {
            directory = try descend(
                into: component, from: directory, pending: &pending, links: &links, createMode: createMode)
        }
        return directory
    }

    /// One step of a walk into the directory `component` of `directory` (`.` and `..` as the
    /// kernel has them), creating it with `createMode` when missing and given; a symlink there
    /// is judged and its target queued instead.
    func descend(
        into component: String, from directory: OpenDirectory, pending: inout [String], links: inout Int,
        createMode: mode_t?
    ) throws(ContainedWriteError) -> OpenDirectory {
        if component == "." { return directory }
        if component == ".." { return try step(directory, "..") }
        var fd = openat(directory.descriptor, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 && errno == ENOENT, let createMode {
            if mkdirat(directory.descriptor, component, createMode) != 0 && errno != EEXIST {
                throw error(.system(operation: "create the directory \(directory.path(of: component))", errno: errno))
            }
            fd = openat(directory.descriptor, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
        if fd >= 0 { return OpenDirectory(descriptor: fd, path: directory.path(of: component)) }
        let code = errno
        guard code == ELOOP || code == ENOTDIR,
            let info = try directory.status(of: component), info.st_mode & S_IFMT == S_IFLNK
        else {
            throw error(.system(operation: "open \(directory.path(of: component))", errno: code))
        }
        return try follow(component, in: directory, pending: &pending, links: &links)
    }

    /// Reads the symlink `name` in `directory` and queues its target's components; returns the
    /// directory the walk goes on from (the root for an absolute target).
    func follow(_ name: String, in directory: OpenDirectory, pending: inout [String], links: inout Int)
        throws(ContainedWriteError) -> OpenDirectory
    {
        links += 1
        guard links <= Self.symlinkLimit else { throw error(.tooManySymlinks) }
        if case .output = rule { try checkTrusted(link: name, in: directory) }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(directory.descriptor, name, &buffer, buffer.count - 1)
        guard count >= 0 else {
            throw error(.system(operation: "readlink \(directory.path(of: name))", errno: errno))
        }
        let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        pending += Self.components(of: target).reversed()
        return target.hasPrefix("/") ? try root() : directory
    }

    /// Under the output rule a symlink is followed only where no other user could have put it:
    /// in a directory owned by root or the running user that nobody else can write (or that is
    /// sticky, with the link owned by root or the running user).
    func checkTrusted(link: String, in directory: OpenDirectory) throws(ContainedWriteError) {
        var info = stat()
        guard fstat(directory.descriptor, &info) == 0 else {
            throw error(.system(operation: "stat \(directory.path)", errno: errno))
        }
        let me = geteuid()
        let trustedOwner = info.st_uid == 0 || info.st_uid == me
        let sharedWrite = info.st_mode & 0o022 != 0
        var trusted = trustedOwner && !sharedWrite
        if trustedOwner && sharedWrite && info.st_mode & S_ISVTX != 0, let linkInfo = try directory.status(of: link) {
            trusted = linkInfo.st_uid == 0 || linkInfo.st_uid == me
        }
        guard trusted else { throw error(.untrustedSymlink(link: directory.path(of: link), directory: directory.path)) }
    }

    func root() throws(ContainedWriteError) -> OpenDirectory {
        let fd = Glibc.open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw error(.system(operation: "open /", errno: errno)) }
        return OpenDirectory(descriptor: fd, path: "/")
    }

    func step(_ directory: OpenDirectory, _ name: String) throws(ContainedWriteError) -> OpenDirectory {
        let fd = openat(directory.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw error(.system(operation: "open \(directory.path)/\(name)", errno: errno)) }
        let path = name == ".." ? Self.parentPath(directory.path) : directory.path(of: name)
        return OpenDirectory(descriptor: fd, path: path)
    }

    static func parentPath(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), path != "/" else { return "/" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func components(of path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return cwd + "/" + path
    }
}
