/// Where a write may land and which symlinks on the way it may follow (DESIGN §13).
public enum WriteRule: Sendable, Equatable {
    /// A file of a tree reconcile edits (nginx's configuration, a zone file). Symlinks are
    /// followed, the last component's too (Debian's `sites-enabled` links are written through
    /// to their target), but the directory the file finally lies in must be one of `roots` or
    /// beneath one, checked on the directory that was opened (device and inode), unless
    /// `allowOutside`.
    case tree(roots: [String], allowOutside: Bool)
    /// A file reconcile creates for others to read (metrics, a saved plan, installed units,
    /// its own state). The last component is never followed when it is a symlink. A symlink
    /// on the way is followed only where nobody but root and the running user could have
    /// planted it. The directory the file lies in must not be writable by users other than
    /// its owner, unless it is sticky and the file (if it exists) belongs to the running user:
    /// the rule systemd-tmpfiles and logrotate apply.
    case output
}
