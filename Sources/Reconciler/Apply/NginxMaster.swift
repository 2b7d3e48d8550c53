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
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), kill(pid, 0) == 0
        else { return nil }
        return pid
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
