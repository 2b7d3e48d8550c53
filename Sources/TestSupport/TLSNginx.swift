import Foundation

/// A real nginx for TLS tests, started as a daemon in its own temporary directory with the
/// `server` blocks given (their `listen` lines must use 127.0.0.1 / [::1] high ports). Always
/// call ``stop()`` in a `defer`; `deinit` stops it too as a safety net.
public final class TLSNginx: @unchecked Sendable {
    public let directory: TemporaryDirectory
    private let nginx: String
    private let lock = NSLock()
    private var stopped = false

    public var configPath: String { directory.url.appendingPathComponent("nginx.conf").path }
    var pidPath: String { directory.url.appendingPathComponent("nginx.pid").path }
    var errorLogPath: String { directory.url.appendingPathComponent("error.log").path }

    /// Writes nginx.conf around `servers` (the text of one or more `server { ... }` blocks),
    /// checks it with `nginx -t`, starts nginx and waits for its pid file.
    public init(servers: String) throws {
        nginx = try ServerBinary.require("nginx")
        directory = try TemporaryDirectory(prefix: "reconcile-nginx")
        let tmp = directory.path
        let config = """
            user root;
            daemon on;
            worker_processes 1;
            pid \(tmp)/nginx.pid;
            error_log \(tmp)/error.log warn;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(tmp)/client_body;
                proxy_temp_path \(tmp)/proxy;
                fastcgi_temp_path \(tmp)/fastcgi;
                uwsgi_temp_path \(tmp)/uwsgi;
                scgi_temp_path \(tmp)/scgi;
            \(servers)
            }

            """
        try directory.write("nginx.conf", config)
        try ChildProcess.check([nginx, "-t", "-q", "-p", tmp, "-c", configPath, "-e", errorLogPath])
        try ChildProcess.check([nginx, "-p", tmp, "-c", configPath, "-e", errorLogPath])
        let deadline = Date().addingTimeInterval(10)
        while masterPID == nil && Date() < deadline { usleep(10_000) }
        guard masterPID != nil else {
            stop()
            throw ChildProcess.Failure(command: [nginx], result: nil, reason: "nginx wrote no pid file: \(errorLog)")
        }
    }

    /// The master's pid from its pid file.
    public var masterPID: Int32? {
        guard let text = try? String(contentsOfFile: pidPath, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    public var errorLog: String { (try? String(contentsOfFile: errorLogPath, encoding: .utf8)) ?? "" }

    /// `nginx -s stop`, then SIGKILL to the master if it is still there after 5 s. Idempotent.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        guard let pid = masterPID else { return }
        _ = try? ChildProcess.run(
            [nginx, "-s", "stop", "-p", directory.path, "-c", configPath, "-e", errorLogPath], timeout: 10)
        let deadline = Date().addingTimeInterval(5)
        while Self.isAlive(pid) && Date() < deadline { usleep(10_000) }
        if Self.isAlive(pid) { kill(pid, SIGKILL) }
    }

    /// Alive and not a zombie: the daemonised master is reaped by whatever PID 1 is, maybe late.
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return !stat[close...].hasPrefix(") Z")
    }

    deinit { stop() }
}
