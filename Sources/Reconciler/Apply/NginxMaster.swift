import Foundation
import Nginx

/// Watches nginx's master process across a reload. A reload is a signal: the command returns
/// before the new configuration is active, and when the master cannot apply it (a bind that
/// fails although `nginx -t` passed) it logs the error and keeps its old workers. So apply
/// waits until every old worker has been told to quit, and treats "they never were" as a
/// failed reload.
public struct NginxMaster: Sendable {
    /// Where the master writes its pid (`pid` in the main config, else Debian's default).
    public let pidFile: String

    public init(pidFile: String) { self.pidFile = pidFile }

    /// The pid file the tree's main configuration names.
    public init(tree: NginxConfigTree) {
        var path = "/run/nginx.pid"
        if let main = tree.files.first {
            for index in main.topLevelDirectives where main.name(of: main.directives[index]) == "pid" {
                if let value = main.arguments(of: main.directives[index]).first {
                    path = value.hasPrefix("/") ? value : tree.prefixDirectory + "/" + value
                }
            }
        }
        self.init(pidFile: path)
    }

    /// The master's pid, when its pid file names a running process.
    public var masterPID: Int32? {
        if case .running(let pid) = pidFileState { return pid }
        return nil
    }

    /// What the pid file says about the master.
    public enum PidFileState: Sendable, Hashable {
        /// It names process `pid`, which exists (perhaps another user's).
        case running(Int32)
        /// No master: the reason in words (the file is absent, empty, or names no process).
        case notRunning(String)
        /// The file could not be read by this user: the reason in words.
        case unreadable(String)
    }

    /// Reads the pid file and asks the kernel whether its process exists. A process of
    /// another user (root's nginx seen by an unprivileged plan) exists: `kill(pid, 0)` fails
    /// with EPERM, not ESRCH.
    public var pidFileState: PidFileState { pidFileState(shownAs: pidFile) }

    /// ``pidFileState``, naming the pid file as `shown` (relative to the working directory).
    public func pidFileState(shownAs shown: String) -> PidFileState {
        let fd = open(pidFile, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            switch errno {
            case ENOENT, ENOTDIR: return .notRunning("its pid file \(shown) does not exist")
            case EACCES, EPERM: return .unreadable("cannot read nginx's pid file \(shown) as user \(Self.userName)")
            default: return .unreadable("cannot read nginx's pid file \(shown): \(String(cString: strerror(errno)))")
            }
        }
        // A pid is a few digits; more than this is not a pid file.
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(fd, &buffer, buffer.count)
        close(fd)
        let text = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return .notRunning("its pid file \(shown) is empty") }
        guard let pid = Int32(trimmed), pid > 0 else {
            return .notRunning("its pid file \(shown) does not hold a process id")
        }
        if kill(pid, 0) == 0 || errno == EPERM { return .running(pid) }
        return .notRunning("its pid file \(shown) names process \(pid), which is not running (a stale pid file)")
    }

    /// The name of the user this process runs as (for messages about what it may not read).
    static var userName: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(geteuid())"
    }

    /// Worker processes of the master that accept connections (not those shutting down).
    public func activeWorkers() -> Set<Int32> { Set(activeWorkerProcesses().map(\.pid)) }

    /// The same workers, as /proc describes them.
    func activeWorkerProcesses() -> [LinuxProcess] {
        guard let master = masterPID,
            let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc")
        else { return [] }
        return entries.compactMap { entry in
            guard let pid = Int32(entry), let process = LinuxProcess(pid: pid), process.parent == master else {
                return nil
            }
            let cmdline = process.commandLine ?? ""
            return cmdline.contains("worker process") && !cmdline.contains("shutting down") ? process : nil
        }
    }

    /// Waits until none of `old` is an active worker and some worker is; false on timeout.
    public func waitForNewWorkers(replacing old: Set<Int32>, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            let now = activeWorkers()
            if !now.isEmpty && now.isDisjoint(with: old) { return true }
            usleep(20_000)
        } while Date() < deadline
        return false
    }
}

/// One process as /proc/PID/stat describes it (the fields nginx's master and workers are
/// judged by).
struct LinuxProcess {
    let pid: Int32
    let parent: Int32
    /// Clock ticks after boot at which it started (field 22).
    let startTicks: Double

    /// Nil when the process is gone or its stat cannot be read.
    init?(pid: Int32) {
        guard let stat = Self.read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        // After the command name in parentheses: state, ppid, ... starttime is the 20th.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let parent = Int32(fields[1]), let ticks = Double(fields[19]) else { return nil }
        self.pid = pid
        self.parent = parent
        self.startTicks = ticks
    }

    /// Its command line (nginx rewrites it to its title: `nginx: worker process`), read on
    /// demand.
    var commandLine: String? { Self.read("/proc/\(pid)/cmdline") }

    /// When it started: its start ticks after the boot time (from CLOCK_BOOTTIME, since
    /// /proc/stat is hidden under the unit's ProcSubset=pid).
    var started: Date? {
        var uptime = timespec()
        guard clock_gettime(CLOCK_BOOTTIME, &uptime) == 0 else { return nil }
        let boot = Date().timeIntervalSince1970 - (TimeInterval(uptime.tv_sec) + TimeInterval(uptime.tv_nsec) / 1e9)
        return Date(timeIntervalSince1970: boot + startTicks / Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// A /proc file whole (they report a size of 0, so read until the end).
    static func read(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return (try? handle.readToEnd()).map { String(decoding: $0, as: UTF8.self) }
    }
}
