import Foundation

/// A real nginx for TLS tests, started in its own temporary directory with the `server` blocks
/// given (their `listen` lines must use 127.0.0.1 / [::1] high ports). Always call ``stop()``
/// in a `defer`; `deinit` stops it too as a safety net.
///
/// nginx runs in the foreground (`daemon off`) as a child we hold: a daemonised nginx inherits
/// the descriptor Foundation's `Process` watches for the child's exit, so the launching call
/// would never return.
public final class TLSNginx: @unchecked Sendable {
    /// nginx's prefix: config, pid file, logs and temp paths.
    public let directory: TemporaryDirectory
    private let nginx: String
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    /// The main configuration file (edit it, then reload, to test apply-like changes).
    public var configPath: String { directory.url.appendingPathComponent("nginx.conf").path }
    var pidPath: String { directory.url.appendingPathComponent("nginx.pid").path }
    var errorLogPath: String { directory.url.appendingPathComponent("error.log").path }

    /// Writes nginx.conf around `servers` (the text of one or more `server { ... }` blocks),
    /// checks it with `nginx -t`, starts nginx and waits for its pid file.
    public init(servers: String) throws {
        nginx = try ServerBinary.require("nginx")
        directory = try TemporaryDirectory(prefix: "reconcile-nginx")
        let tmp = directory.path
        let configPath = "\(tmp)/nginx.conf"
        let errorLogPath = "\(tmp)/error.log"
        let config = """
            user root;
            daemon off;
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
        process = Process()
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-p", tmp, "-c", configPath, "-e", errorLogPath]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready when every loopback address:port of the config accepts a connection.
        let sockets = Self.loopbackListens(in: servers)
        let deadline = Date().addingTimeInterval(10)
        while !sockets.allSatisfy({ Self.accepts(host: $0.0, port: $0.1) }) && process.isRunning && Date() < deadline {
            usleep(10_000)
        }
        guard sockets.allSatisfy({ Self.accepts(host: $0.0, port: $0.1) }), process.isRunning else {
            stop()
            throw ChildProcess.Failure(
                command: [nginx], result: nil,
                reason: "nginx did not start: \((try? String(contentsOfFile: errorLogPath, encoding: .utf8)) ?? "")")
        }
    }

    /// The master's pid from its pid file.
    public var masterPID: Int32? {
        guard let text = try? String(contentsOfFile: pidPath, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// What nginx logged so far.
    public var errorLog: String { (try? String(contentsOfFile: errorLogPath, encoding: .utf8)) ?? "" }

    /// `nginx -s stop`, then SIGKILL to the master if it is still there after 5 s; waits for
    /// it. Idempotent.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        guard process.isRunning else { return }
        _ = try? ChildProcess.run(
            [nginx, "-s", "stop", "-p", directory.path, "-c", configPath, "-e", errorLogPath], timeout: 10)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// `listen 127.0.0.1:P` and `listen [::1]:P` lines of the server blocks.
    static func loopbackListens(in servers: String) -> [(String, UInt16)] {
        var found: [(String, UInt16)] = []
        let words = servers.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "\n" })
        for (index, word) in words.enumerated() where word == "listen" && index + 1 < words.count {
            let address = words[index + 1]
            for host in ["127.0.0.1", "::1"] {
                let prefix = host == "::1" ? "[::1]:" : "127.0.0.1:"
                if address.hasPrefix(prefix), let port = UInt16(address.dropFirst(prefix.count)) {
                    found.append((host, port))
                }
            }
        }
        return found
    }

    /// Whether a TCP connection to host:port succeeds now.
    static func accepts(host: String, port: UInt16) -> Bool {
        let family = host.contains(":") ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if family == AF_INET6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = in6addr_loopback
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
                }
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    deinit { stop() }
}
