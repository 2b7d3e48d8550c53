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
    let process: Process

    public init(zone: (name: String, contents: String), keyName: String = "reconcile-hmac-sha256") throws {
        let knotd = try ServerBinary.require("knotd")
        let keygen = try ServerBinary.require("tsig-keygen")
        directory = try TemporaryDirectory(prefix: "reconcile-knot")
        port = LoopbackPort.free()
        keyFile = try ChildProcess.check([keygen, "-a", "hmac-sha256", keyName]).stdout
        guard let secretStart = keyFile.range(of: "secret \""), let secretEnd = keyFile[secretStart.upperBound...].firstIndex(of: "\"")
        else { throw KnotFailure(log: "no secret in tsig-keygen output") }
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
        let log = directory.path + "/knot.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let sink = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? sink.close() }
        process = Process()
        process.executableURL = URL(fileURLWithPath: knotd)
        process.arguments = ["-c", config.path]
        process.standardOutput = sink
        process.standardError = sink
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && process.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if LoopbackPort.accepts(port: port) && text.contains("loaded, serial") { return }
            usleep(20_000)
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        stop()
        throw KnotFailure(log: text)
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

public struct KnotFailure: Error, CustomStringConvertible {
    public let log: String
    public var description: String { "knotd did not start:\n\(log)" }
}
