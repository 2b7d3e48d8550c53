import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real nginx master process running in the foreground from a temporary directory, for
/// tests and benchmarks: pid file, error log and temp paths stay inside that directory.
///
/// Always call ``stop()`` (in a `defer`); `deinit` stops a forgotten server as a safety net.
public final class NginxServer: @unchecked Sendable {
    /// Where the server's files live; the main config is ``configPath``.
    public let directory: String
    /// The main configuration nginx was started with.
    public let configPath: String
    /// `directory/error.log`, passed with `-e`.
    public let errorLogPath: String
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    /// nginx did not start, stop or reload; `log` holds what it said.
    public struct Failure: Error, CustomStringConvertible {
        public let reason: String
        public let log: String
        public var description: String { "\(reason)\n\(log)" }
    }

    /// A complete main configuration around `http` (the contents of the `http` block),
    /// with every path inside `directory`. Workers run as root when the tests do, so they
    /// can read files the tests wrote.
    public static func mainConfig(http: String, directory: String, workers: Int = 1) -> String {
        """
        \(getuid() == 0 ? "user root;\n" : "")daemon off;
        worker_processes \(workers);
        pid \(directory)/nginx.pid;
        error_log \(directory)/error.log notice;
        events { worker_connections 512; }
        http {
            access_log off;
            client_body_temp_path \(directory)/client_body;
            proxy_temp_path \(directory)/proxy;
            fastcgi_temp_path \(directory)/fastcgi;
            uwsgi_temp_path \(directory)/uwsgi;
            scgi_temp_path \(directory)/scgi;
        \(http)
        }

        """
    }

    /// Starts `nginx -p directory -c configPath -e directory/error.log` and waits until
    /// its workers run (its sockets are bound by then). Throws with nginx's own messages
    /// when it does not start. The config must say `daemon off;`, write its pid to
    /// `directory/nginx.pid` and log at `notice` to ``errorLogPath`` (``reload(timeout:)``
    /// reads the worker notices); ``mainConfig(http:directory:workers:)`` does all three.
    public init(directory: String, configPath: String, timeout: Double = 10) throws {
        self.directory = directory
        self.configPath = configPath
        errorLogPath = directory + "/error.log"
        let nginx = try ServerBinary.require("nginx")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-p", directory + "/", "-c", configPath, "-e", errorLogPath]
        let stderrPath = directory + "/stderr.log"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !process.isRunning {
                stopped = true
                let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
                throw Failure(reason: "nginx exited with status \(process.terminationStatus)", log: stderr + log())
            }
            // nginx writes its pid file once its sockets listen; the notice is the other sign.
            if log().contains("start worker process")
                || FileManager.default.fileExists(atPath: directory + "/nginx.pid")
            {
                return
            }
            usleep(10_000)
        }
        stop()
        throw Failure(reason: "nginx did not start within \(timeout)s", log: log())
    }

    /// Convenience: writes ``mainConfig(http:directory:workers:)`` into `directory` and starts it.
    public convenience init(http: String, in directory: TemporaryDirectory) throws {
        let config = try directory.write("nginx.conf", Self.mainConfig(http: http, directory: directory.path))
        try self.init(directory: directory.path, configPath: config.path)
    }

    /// The master's process id.
    public var pid: Int32 { process.processIdentifier }

    /// The error log so far.
    public func log() -> String {
        guard let data = FileManager.default.contents(atPath: errorLogPath) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Signals the master to reload its configuration and waits until the new workers run
    /// and every old worker has exited, so every later connection sees the new config.
    /// Throws with the log when nginx refuses the new configuration (it keeps the old one).
    public func reload(timeout: Double = 10) throws {
        let before = log()
        let oldWorkers = Self.liveWorkers(in: before)
        kill(pid, SIGHUP)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let after = String(log().dropFirst(before.count))
            if after.contains("[emerg]") || after.contains("[alert]") {
                throw Failure(reason: "nginx refused the new configuration", log: after)
            }
            let started = after.contains("start worker process")
            let exited = Set(Self.pids(after: "worker process ", before: " exited", in: after))
            if started && oldWorkers.isSubset(of: exited) { return }
            usleep(10_000)
        }
        throw Failure(reason: "nginx did not finish reloading within \(timeout)s", log: log())
    }

    /// Stops nginx (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. Idempotent.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }

    private static func liveWorkers(in log: String) -> Set<String> {
        Set(pids(after: "start worker process ", before: nil, in: log))
            .subtracting(pids(after: "worker process ", before: " exited", in: log))
    }

    /// The numbers following `prefix` (and followed by `suffix`, when given) on each line.
    private static func pids(after prefix: String, before suffix: String?, in log: String) -> [String] {
        log.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: prefix) else { return nil }
            let rest = line[range.upperBound...]
            let digits = rest.prefix(while: { $0.isNumber })
            guard !digits.isEmpty else { return nil }
            if let suffix, !rest.dropFirst(digits.count).hasPrefix(suffix) { return nil }
            return String(digits)
        }
    }
}
