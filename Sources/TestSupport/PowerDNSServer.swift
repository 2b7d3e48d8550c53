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
    let server: ServerProcess

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
        self.server = try ServerProcess(executable: server, arguments: [config], logPath: directory.path + "/pdns.log")
        let port = self.port
        guard self.server.waitUntil(timeout: 20, { LoopbackPort.accepts(port: port) }) else {
            self.server.stop()
            throw ServerStartFailure(server: "pdns_server", log: self.server.log)
        }
    }

    public func stop() { server.stop() }

}
