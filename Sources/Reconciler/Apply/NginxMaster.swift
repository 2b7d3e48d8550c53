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
    public func activeWorkers() -> Set<Int32> {
        guard let master = masterPID,
            let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc")
        else { return [] }
        var workers: Set<Int32> = []
        for entry in entries {
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == master else { continue }
            let cmdline =
                (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry)/cmdline"))).map {
                    String(decoding: $0, as: UTF8.self)
                } ?? ""
            if cmdline.contains("worker process") && !cmdline.contains("shutting down") { workers.insert(pid) }
        }
        return workers
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
