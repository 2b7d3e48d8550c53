import Foundation
import Nginx

#if canImport(Glibc)
    import Glibc
#endif

/// What the running nginx has loaded, as far as /proc can tell. reconcile reads nginx's files;
/// nginx serves what it read at its last start or reload. A file changed since (an operator
/// who added `listen [::]:443;` and forgot the reload) makes the files claim what nginx does
/// not do, which is the §1 outage hiding behind a clean plan.
public struct NginxRuntime: Sendable, Hashable {
    /// A file of the tree modified after nginx last loaded its configuration.
    public struct UnloadedFile: Sendable, Hashable {
        public var path: String
        public var modified: Date

        public init(path: String, modified: Date) {
            self.path = path
            self.modified = modified
        }
    }

    /// The master process, from the configuration's pid file.
    public var masterPID: Int32
    /// When the newest worker that accepts connections started: nginx's last reload or start.
    public var loadedAt: Date
    /// Files of the tree modified after ``loadedAt`` (beyond a second's slack).
    public var unloadedFiles: [UnloadedFile]

    public init(masterPID: Int32, loadedAt: Date, unloadedFiles: [UnloadedFile]) {
        self.masterPID = masterPID
        self.loadedAt = loadedAt
        self.unloadedFiles = unloadedFiles
    }

    /// Modification times within this much after the reload count as loaded: a worker's start
    /// time has clock-tick resolution, and apply writes a file moments before it reloads.
    static let slack: TimeInterval = 1

    /// The running nginx whose master was started with `tree`'s main configuration (found by
    /// the pid file the configuration names), or nil when there is none: the tree is not live
    /// (the bundled example), or the pid file names a master of another configuration.
    public static func observe(_ tree: NginxConfigTree) -> NginxRuntime? {
        let master = NginxMaster(tree: tree)
        guard let pid = master.masterPID, let cmdline = LinuxProcess(pid: pid)?.commandLine,
            let config = configuration(fromMasterCommandLine: cmdline),
            sameFile(config, tree.mainConfigPath)
        else { return nil }
        let starts = master.activeWorkerProcesses().compactMap(\.started)
        guard let loadedAt = starts.max() else { return nil }
        var unloaded: [UnloadedFile] = []
        for file in tree.files {
            var info = stat()
            guard stat(file.path, &info) == 0 else { continue }
            let modified = Date(
                timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
            if modified.timeIntervalSince(loadedAt) > slack { unloaded.append(UnloadedFile(path: file.path, modified: modified)) }
        }
        return NginxRuntime(masterPID: pid, loadedAt: loadedAt, unloadedFiles: unloaded)
    }

    /// The main configuration a master runs, from its title
    /// (`nginx: master process /usr/sbin/nginx -p /srv/ -c conf/nginx.conf`): `-c`, relative
    /// to `-p`, else Debian's compiled-in `/etc/nginx/nginx.conf`.
    public static func configuration(fromMasterCommandLine cmdline: String) -> String? {
        guard let range = cmdline.range(of: "master process ") else { return nil }
        let words = cmdline[range.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\0" }).map(String.init)
        func value(of flag: String) -> String? {
            guard let index = words.firstIndex(of: flag), index + 1 < words.count else { return nil }
            return words[index + 1]
        }
        guard let config = value(of: "-c") else { return "/etc/nginx/nginx.conf" }
        if config.hasPrefix("/") { return config }
        let prefix = value(of: "-p") ?? "/usr/share/nginx/"
        return (prefix.hasSuffix("/") ? prefix : prefix + "/") + config
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        var first = stat()
        var second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }
}
