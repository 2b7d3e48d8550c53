#if canImport(Glibc)
    import Glibc
#endif

/// Where the programs reconcile runs are looked up. Children never inherit the caller's
/// `PATH`: an empty entry (or an empty `PATH`) would make the current directory part of it, so
/// a `./git` planted there would run as root. Every child gets this fixed, absolute list, and
/// a bare program name is resolved against it to an absolute path before it runs.
public enum ProgramSearch {
    /// The `PATH` every child gets.
    public static let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    /// ``path``'s directories.
    public static let directories = path.split(separator: ":").map(String.init)

    /// The absolute path of `program`: itself when it contains a slash (made absolute against
    /// `directory` when relative), else the first executable of that name in `directories`
    /// (by default ``path``'s); nil when there is none.
    public static func resolve(
        _ program: String, relativeTo directory: String? = nil, in directories: [String] = directories
    ) -> String? {
        if program.contains("/") {
            guard !program.hasPrefix("/") else { return program }
            guard let directory else { return nil }
            return directory.hasSuffix("/") ? directory + program : directory + "/" + program
        }
        guard !program.isEmpty else { return nil }
        for entry in directories where entry.hasPrefix("/") {
            let candidate = "\(entry)/\(program)"
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// The environment for a child: the caller's, with `PATH` replaced by ``path``.
    public static func environment(_ base: [String: String]) -> [String: String] {
        var environment = base
        environment["PATH"] = path
        return environment
    }
}
