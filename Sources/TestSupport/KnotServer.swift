import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real Knot DNS (`knotd`, Debian's knot) for the interop tests: in its own temporary
/// directory, on 127.0.0.1 and ::1 at a free high port, serving one zone as primary, with one
/// TSIG key allowed to transfer and update it (and nothing else allowed).
public final class KnotServer: @unchecked Sendable {
    public let port: UInt16
    public let directory: TemporaryDirectory
    /// The key as `tsig-keygen` writes it (Knot and BIND share the algorithm and secret).
    public let keyFile: String
    let server: ServerProcess

    public init(zone: (name: String, contents: String), keyName: String = "reconcile-hmac-sha256") throws {
        let knotd = try ServerBinary.require("knotd")
        let keygen = try ServerBinary.require("tsig-keygen")
        directory = try TemporaryDirectory(prefix: "reconcile-knot")
        port = LoopbackPort.free()
        keyFile = try ChildProcess.check([keygen, "-a", "hmac-sha256", keyName]).stdout
        guard let secretStart = keyFile.range(of: "secret \""),
            let secretEnd = keyFile[secretStart.upperBound...].firstIndex(of: "\"")
        else { throw ServerStartFailure(server: "knotd", log: "no secret in tsig-keygen output") }
        let secret = keyFile[secretStart.upperBound..<secretEnd]
        try directory.write("\(zone.name).zone", zone.contents)
        let config = try directory.write(
            "knot.conf",
            """
            server:
                rundir: "\(directory.path)"
                listen: [ 127.0.0.1@\(port), ::1@\(port) ]
            log:
              - target: stderr
                any: info
            database:
                storage: "\(directory.path)"
            key:
              - id: \(keyName)
                algorithm: hmac-sha256
                secret: \(secret)
            acl:
              - id: keyed
                key: \(keyName)
                action: [ transfer, update ]
            zone:
              - domain: \(zone.name)
                storage: "\(directory.path)"
                file: "\(zone.name).zone"
                acl: keyed
                zonefile-sync: -1
                zonefile-load: whole
                journal-content: changes

            """)
        server = try ServerProcess(
            executable: knotd, arguments: ["-c", config.path], logPath: directory.path + "/knot.log")
        let port = self.port
        let server = self.server
        guard
            server.waitUntil(timeout: 20, { LoopbackPort.accepts(port: port) && server.log.contains("loaded, serial") })
        else {
            server.stop()
            throw ServerStartFailure(server: "knotd", log: server.log)
        }
    }

    public func stop() { server.stop() }

}
