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
    let server: ServerProcess

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
        server = try ServerProcess(
            executable: unbound, arguments: ["-d", "-c", path], logPath: directory.path + "/unbound.stderr")
        let port = self.port
        guard server.waitUntil(timeout: startupTimeout, { LoopbackPort.accepts(port: port) }) else {
            server.stop()
            throw ServerStartFailure(
                server: "unbound",
                log: server.log
                    + ((try? String(contentsOfFile: directory.path + "/unbound.log", encoding: .utf8)) ?? ""))
        }
    }

    public func stop() { server.stop() }

}
