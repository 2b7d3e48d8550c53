import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A server a test started (knotd, pdns_server, unbound, a hostile peer written for the test):
/// its output kept in a log file, a wait until it is ready, and a stop that always ends it.
public final class ServerProcess: @unchecked Sendable {
    public let process: Process
    /// Where its standard output and error go.
    public let logPath: String

    /// Starts `executable` with `arguments`, its output appended to `logPath`.
    public init(executable: String, arguments: [String], logPath: String) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let sink = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? sink.close() }
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = sink
        process.standardError = sink
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// What it has written so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    public var isRunning: Bool { process.isRunning }

    /// Waits until `ready` holds (true), the process exits or `timeout` passes (false).
    public func waitUntil(timeout: Double, _ ready: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && process.isRunning {
            if ready() { return true }
            usleep(20_000)
        }
        return false
    }

    /// SIGTERM, then SIGKILL after `grace` seconds (a child may inherit a signal mask that
    /// blocks SIGTERM); waits for the exit. Idempotent.
    public func stop(grace: Double = 5) { Self.terminate(process, grace: grace) }

    /// ``stop(grace:)`` for any process.
    public static func terminate(_ process: Process, grace: Double = 5) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// A test server that did not come up, with what it logged.
public struct ServerStartFailure: Error, CustomStringConvertible {
    public let server: String
    public let log: String
    public var description: String { "\(server) did not start:\n\(log)" }
}
