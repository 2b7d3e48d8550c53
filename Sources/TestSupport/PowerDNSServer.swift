import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real PowerDNS authoritative server (`pdns_server` with the gsqlite3 backend, Debian's
/// pdns-server and pdns-backend-sqlite3) on 127.0.0.1 at a free high port, in its own temporary
/// directory, serving one zone loaded with `pdnsutil` and knowing one TSIG key allowed to
/// transfer it. It never reaches out: the security poll is off (`security-poll-suffix=`).
public final class PowerDNSServer: @unchecked Sendable {
    public let port: UInt16
    public let directory: TemporaryDirectory
    let process: Process

    /// `zone` is the zone's name and master-file text; `key` the TSIG key name, algorithm and
    /// base64 secret the server trusts for AXFR of it.
    public init(zone: (name: String, contents: String), key: (name: String, algorithm: String, secret: String))
        throws
    {
        let server = try ServerBinary.require("pdns_server")
        let pdnsutil = try ServerBinary.require("pdnsutil")
        directory = try TemporaryDirectory(prefix: "reconcile-pdns")
        port = LoopbackPort.free()
        let database = directory.path + "/pdns.sqlite3"
        let schema = "/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql"
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        try ChildProcess.check([
            python, "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(open(sys.argv[2]).read()); c.commit()",
            database, schema,
        ])
        try directory.write(
            "pdns.conf",
            """
            launch=gsqlite3
            gsqlite3-database=\(database)
            local-address=127.0.0.1
            local-port=\(port)
            socket-dir=\(directory.path)
            daemon=no
            guardian=no
            security-poll-suffix=
            disable-syslog=yes
            write-pid=no

            """)
        let zoneFile = try directory.write("zone.db", zone.contents).path
        let config = "--config-dir=\(directory.path)"
        try ChildProcess.check([pdnsutil, config, "load-zone", zone.name, zoneFile])
        try ChildProcess.check([pdnsutil, config, "import-tsig-key", key.name, key.algorithm, key.secret])
        try ChildProcess.check([pdnsutil, config, "set-meta", zone.name, "TSIG-ALLOW-AXFR", key.name])
        let log = directory.path + "/pdns.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let sink = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? sink.close() }
        process = Process()
        process.executableURL = URL(fileURLWithPath: server)
        process.arguments = [config]
        process.standardOutput = sink
        process.standardError = sink
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && process.isRunning {
            if LoopbackPort.accepts(port: port) { return }
            usleep(20_000)
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        stop()
        throw PowerDNSFailure(log: text)
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

public struct PowerDNSFailure: Error, CustomStringConvertible {
    public let log: String
    public var description: String { "pdns_server did not start:\n\(log)" }
}
