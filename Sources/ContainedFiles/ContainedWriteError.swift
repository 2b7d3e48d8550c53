#if canImport(Glibc)
    import Glibc
#endif

/// Why a contained write refused or failed. Each case says which rule and how to fix it.
public struct ContainedWriteError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Reason: Sendable, Equatable {
        /// A symlink leads the file outside every allowed root.
        case outsideRoots(target: String, roots: [String])
        /// A file to be read under the tree rule leads through a symlink outside every root
        /// (whoever owns the link could make reconcile read, and quote in errors, any file).
        case readOutsideRoots(target: String, roots: [String])
        /// The last component of an output path is a symlink.
        case finalSymlink
        /// A symlink on the way lies in a directory another user can write, or that another
        /// user owns: that user could point it anywhere.
        case untrustedSymlink(link: String, directory: String)
        /// The directory an output file goes into is writable by users other than its owner.
        case sharedDirectory(directory: String, mode: UInt32)
        /// The path names something that is not a regular file (a directory, a FIFO, ...).
        case notRegularFile
        /// More than 40 symlinks on the way (a loop).
        case tooManySymlinks
        /// The file changed between the read the plan is based on and the rename.
        case changed(String)
        /// A system call failed; `operation` names it and the path it was given
        /// ("create /etc/nginx/.a.conf.reconcile-7.tmp").
        case system(operation: String, errno: Int32)
    }

    /// The path as given.
    public let path: String
    public let reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .outsideRoots(let target, let roots):
            let allowed = roots.joined(separator: ", ")
            return
                "refusing to write \(path): it leads through a symlink to \(target), outside \(allowed); nothing was written there. Pass --allow-symlinks-outside if writing there is intended"
        case .readOutsideRoots(let target, let roots):
            return
                "refusing to read \(path): it leads through a symlink to \(target), outside \(roots.joined(separator: ", ")); pass --allow-symlinks-outside if that is intended"
        case .finalSymlink:
            return
                "refusing to write \(path): it is a symlink, and an output file is never written through a symlink (someone could point it at any file); remove the link or choose another path"
        case .untrustedSymlink(let link, let directory):
            return
                "refusing to write \(path): the path goes through the symlink \(link) in \(directory), which another user owns or can write, so that user could point it anywhere; use a path without that link"
        case .sharedDirectory(let directory, let mode):
            return
                "refusing to write \(path): its directory \(directory) (mode \(String(mode & 0o7777, radix: 8))) is writable by users other than its owner, so another user could swap the file; make it writable by its owner only (chmod go-w \(directory)), or sticky (chmod +t) with the file owned by the user running reconcile"
        case .notRegularFile:
            return "refusing to write \(path): it is not a regular file"
        case .tooManySymlinks:
            return "cannot write \(path): more than 40 symlinks on the way (a loop?)"
        case .changed(let what):
            return "\(path) changed while applying (\(what)); this file was not written"
        case .system(let operation, let code):
            return "cannot \(operation): \(String(cString: strerror(code)))"
        }
    }
}
