import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real recursive resolver (`unbound`) for tests, on 127.0.0.1 at a free high port, that
/// never reaches out: every name, the root included, is a stub zone pointing at a test server
/// on loopback. It answers recursively, without authority (AA not set), as any resolver does,
/// and non-recursive questions from its cache (`allow_snoop`), as many resolvers do.
public final class UnboundServer: @unchecked Sendable {
    public let port: UInt16
    let directory: TemporaryDirectory
    let process: Process

    /// `stubs` maps zone names (`example.social`, `.`) to the loopback port of the server
    /// authoritative for them.
    /// `stubAddress` is where the stub servers listen (127.0.0.1).
    public init(stubs: [String: UInt16], stubAddress: String = "127.0.0.1", startupTimeout: Double = 20) throws {
        let unbound = try ServerBinary.require("unbound")
        directory = try TemporaryDirectory(prefix: "reconcile-unbound")
        port = LoopbackPort.free()
        var config = """
            server:
                interface: 127.0.0.1
                port: \(port)
                do-ip6: no
                do-daemonize: no
                username: ""
                chroot: ""
                directory: "\(directory.path)"
                pidfile: "\(directory.path)/unbound.pid"
                use-syslog: no
                logfile: "\(directory.path)/unbound.log"
                verbosity: 1
                access-control: 127.0.0.0/8 allow_snoop
                do-not-query-localhost: no
                module-config: "iterator"
                qname-minimisation: no
                harden-referral-path: no
            remote-control:
                control-enable: no

            """
        for (zone, stubPort) in stubs.sorted(by: { $0.key < $1.key }) {
            config += """
                stub-zone:
                    name: "\(zone)"
                    stub-addr: \(stubAddress)@\(stubPort)

                """
        }
        let path = try directory.write("unbound.conf", config).path
        process = Process()
        process.executableURL = URL(fileURLWithPath: unbound)
        process.arguments = ["-d", "-c", path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Ready once it accepts a TCP connection on its port.
        let deadline = Date().addingTimeInterval(startupTimeout)
        while Date() < deadline {
            if !process.isRunning { break }
            if LoopbackPort.accepts(port: port) { return }
            usleep(20_000)
        }
        stop()
        throw UnboundFailure(log: (try? String(contentsOfFile: directory.path + "/unbound.log", encoding: .utf8)) ?? "")
    }

    /// SIGTERM, then SIGKILL; waits for the exit.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

public struct UnboundFailure: Error, CustomStringConvertible {
    public let log: String
    public var description: String { "unbound did not start:\n\(log)" }
}
