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

    /// Whether nginx's master of a configuration runs, as far as this user can tell.
    public enum MasterState: Sendable, Hashable {
        /// The master with this pid runs the configuration.
        case running(Int32)
        /// No master runs it: why, in words (pid file absent or stale, another program, another configuration).
        case notRunning(String)
        /// This user cannot tell: why, in words.
        case unknown(String)
    }

    /// What one look at the running nginx found: whether its master runs `tree`'s
    /// configuration, what it has loaded, and the checks that could not be made.
    public struct Inspection: Sendable, Hashable {
        public var master: MasterState
        public var runtime: NginxRuntime?
        public var checksNotRun: [CheckNotRun]
    }

    /// Looks at the master of `tree`'s configuration (found by the pid file the configuration
    /// names) and its workers. No master of this configuration (the bundled example, a stopped
    /// nginx, a pid file of another program or configuration) is `notRunning`; whatever this
    /// user cannot read (another user's pid file or /proc entries) is a check not run, never a
    /// silent pass. `display` shows paths in messages.
    public static func inspect(_ tree: NginxConfigTree, display: (String) -> String = { $0 }) -> Inspection {
        let master = NginxMaster(tree: tree)
        // The path comes from nginx's files and goes into messages: it is never echoed raw.
        guard !master.pidFile.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return Inspection(
                master: .notRunning("the pid directive of its configuration names a path with a control character"),
                runtime: nil, checksNotRun: [])
        }
        let pidFile = display(master.pidFile)
        let notLoaded = { (reason: String) in [CheckNotRun(check: .configNotLoaded, reason: reason)] }
        let pid: Int32
        switch master.pidFileState(shownAs: pidFile) {
        case .notRunning(let reason):
            return Inspection(master: .notRunning(reason), runtime: nil, checksNotRun: [])
        case .unreadable(let reason):
            return Inspection(
                master: .unknown(reason), runtime: nil,
                checksNotRun: [CheckNotRun(check: .nginxNotRunning, reason: reason)] + notLoaded(reason))
        case .running(let found):
            pid = found
        }
        guard let cmdline = LinuxProcess(pid: pid)?.commandLine, !cmdline.isEmpty else {
            let reason = "cannot read process \(pid) (named by \(pidFile)) in /proc as user \(NginxMaster.userName)"
            return Inspection(
                master: .unknown(reason), runtime: nil,
                checksNotRun: [CheckNotRun(check: .nginxNotRunning, reason: reason)] + notLoaded(reason))
        }
        guard let config = configuration(fromMasterCommandLine: cmdline) else {
            return Inspection(
                master: .notRunning(
                    "its pid file \(pidFile) names process \(pid), which is not an nginx master process"),
                runtime: nil, checksNotRun: [])
        }
        guard sameFile(config, tree.mainConfigPath) else {
            return Inspection(
                master: .notRunning(
                    "its pid file \(pidFile) names nginx master \(pid), which runs another configuration file"),
                runtime: nil, checksNotRun: [])
        }
        let starts = master.activeWorkerProcesses().compactMap(\.started)
        guard let loadedAt = starts.max() else {
            return Inspection(
                master: .running(pid), runtime: nil,
                checksNotRun: notLoaded(
                    "found no worker process of nginx's master \(pid) in /proc as user \(NginxMaster.userName)"))
        }
        var unloaded: [UnloadedFile] = []
        for file in tree.files {
            var info = stat()
            guard stat(file.path, &info) == 0 else { continue }
            let modified = Date(
                timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
            if modified.timeIntervalSince(loadedAt) > slack {
                unloaded.append(UnloadedFile(path: file.path, modified: modified))
            }
        }
        return Inspection(
            master: .running(pid), runtime: NginxRuntime(masterPID: pid, loadedAt: loadedAt, unloadedFiles: unloaded),
            checksNotRun: [])
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
