import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real BIND `named` for tests and benchmarks: runs in the foreground (`-g`) in its own
/// temporary directory, listens only on 127.0.0.1 and ::1 on a free high port, serves the
/// given zones as primary, and knows TSIG keys made by `tsig-keygen`. Always call ``stop()``
/// (in a `defer`); `deinit` stops it too as a safety net.
public final class NamedServer: @unchecked Sendable {
    /// Who may transfer a zone (AXFR).
    public enum TransferAccess: Sendable {
        case anyone
        case keysOnly
        case nobody
    }

    /// A zone to serve from a master file written into the server's directory.
    public struct Zone: Sendable {
        public var name: String
        public var contents: String
        /// Allow RFC 2136 updates signed with any of the server's keys.
        public var allowUpdate: Bool
        public var allowTransfer: TransferAccess
        /// Serve the zone as a secondary of the primary on 127.0.0.1 at this port (it is
        /// transferred at start; `contents` is ignored; NOTIFY is off, so it refreshes only when
        /// told: `rndc retransfer`).
        public var secondaryOf: UInt16?
        /// The primary's address for a secondary zone.
        public var primaryAddress = "127.0.0.1"

        public init(
            name: String, contents: String, allowUpdate: Bool = true, allowTransfer: TransferAccess = .anyone,
            secondaryOf: UInt16? = nil
        ) {
            self.name = name
            self.contents = contents
            self.allowUpdate = allowUpdate
            self.allowTransfer = allowTransfer
            self.secondaryOf = secondaryOf
        }

        /// File name of the zone inside the server directory.
        var fileName: String { "zone-\(name.trimmingCharacters(in: CharacterSet(charactersIn: "."))).db" }
    }

    /// A TSIG key the server trusts, with the text `tsig-keygen` printed for it.
    public struct Key: Sendable {
        public let name: String
        public let algorithm: String
        /// `key "name" { algorithm ...; secret "..."; };`
        public let keyFile: String
    }

    public let port: UInt16
    public let directory: TemporaryDirectory
    public let keys: [Key]
    public let zones: [Zone]
    /// `rndc` with the key and port of the server's control channel (argv; add `reload ZONE`),
    /// when it was started with one.
    public let rndc: [String]?
    private var process: Process
    private let named: String
    private let lock = NSLock()
    private var stopped = false

    /// Writes the configuration, zone files and keys, starts `named`, and returns once it
    /// answers. Throws (after stopping it) when it does not come up within `startupTimeout`.
    /// With `controlChannel`, named also listens for `rndc` on a loopback high port (see ``rndc``).
    /// `port` and `addresses` place it elsewhere than a free high port on 127.0.0.1 and ::1:
    /// port 53 on addresses of a private network namespace the test made (started from its
    /// thread), where NS records can point.
    public init(
        zones: [Zone], keyAlgorithms: [String] = ["hmac-sha256", "hmac-sha512"], controlChannel: Bool = false,
        startupTimeout: Double = 30, port fixedPort: UInt16? = nil, addresses: [String] = ["127.0.0.1", "::1"]
    ) throws {
        let named = try ServerBinary.require("named")
        let keygen = try ServerBinary.require("tsig-keygen")
        let directory = try TemporaryDirectory(prefix: "reconcile-named")
        var keys: [Key] = []
        for algorithm in keyAlgorithms {
            let name = "reconcile-\(algorithm)"
            let text = try ChildProcess.check([keygen, "-a", algorithm, name]).stdout
            keys.append(Key(name: name, algorithm: algorithm, keyFile: text))
        }
        var control: (port: UInt16, keyFile: String)?
        if controlChannel {
            let key = try ChildProcess.check([keygen, "-a", "hmac-sha256", "rndc-key"]).stdout
            control = (LoopbackPort.free(), try directory.write("rndc.key", key).path)
        }
        let rndc = try control.map {
            [try ServerBinary.require("rndc"), "-k", $0.keyFile, "-s", "127.0.0.1", "-p", String($0.port)]
        }
        for zone in zones where zone.secondaryOf == nil { try directory.write(zone.fileName, zone.contents) }
        // The free port can be taken between probing and named binding it; named then keeps
        // running without that socket, so its log is checked and another port tried.
        var failure: NamedServerFailure?
        for _ in 0..<3 {
            var port = fixedPort ?? LoopbackPort.free()
            while port == control?.port { port = LoopbackPort.free() }
            try directory.write(
                "named.conf",
                Self.configuration(
                    port: port, directory: directory.path, keys: keys, zones: zones, control: control,
                    addresses: addresses))
            let process = try Self.launch(named, in: directory)
            do {
                try Self.waitUntilRunning(process, directory: directory, timeout: startupTimeout)
                self.port = port
                self.directory = directory
                self.keys = keys
                self.zones = zones
                self.process = process
                self.named = named
                self.rndc = rndc
                return
            } catch let error as NamedServerFailure {
                Self.terminate(process)
                failure = error
                if !error.log.contains("address in use") { break }
            }
        }
        throw failure ?? NamedServerFailure(reason: "named did not start", log: "")
    }

    static func configuration(
        port: UInt16, directory: String, keys: [Key], zones: [Zone], control: (port: UInt16, keyFile: String)? = nil,
        addresses: [String] = ["127.0.0.1", "::1"]
    ) -> String {
        let v4 = addresses.filter { !$0.contains(":") }.map { "\($0); " }.joined()
        let v6 = addresses.filter { $0.contains(":") }.map { "\($0); " }.joined()
        var config = keys.map(\.keyFile).joined(separator: "\n")
        if let control { config += "\ninclude \"\(control.keyFile)\";" }
        let controls =
            control.map { "inet 127.0.0.1 port \($0.port) allow { 127.0.0.1; } keys { \"rndc-key\"; };" } ?? ""
        config += """

            options {
                directory "\(directory)";
                pid-file "\(directory)/named.pid";
                listen-on port \(port) { \(v4.isEmpty ? "none; " : v4)};
                listen-on-v6 port \(port) { \(v6.isEmpty ? "none; " : v6)};
                recursion no;
                notify no;
                dnssec-validation no;
                allow-query { any; };
            };
            controls { \(controls) };

            """
        let keyList = keys.map { "key \"\($0.name)\"; " }.joined()
        for zone in zones {
            let transfer: String
            switch zone.allowTransfer {
            case .anyone: transfer = "any;"
            case .keysOnly: transfer = keyList.isEmpty ? "none;" : keyList
            case .nobody: transfer = "none;"
            }
            let update = zone.allowUpdate && !keyList.isEmpty ? keyList : "none;"
            if let primary = zone.secondaryOf {
                config += """
                    zone "\(zone.name)" {
                        type secondary;
                        primaries { \(zone.primaryAddress) port \(primary); };
                        file "\(zone.fileName)";
                        allow-transfer { \(transfer) };
                    };

                    """
                continue
            }
            config += """
                zone "\(zone.name)" {
                    type primary;
                    file "\(zone.fileName)";
                    allow-update { \(update) };
                    allow-transfer { \(transfer) };
                };

                """
        }
        return config
    }

    static func launch(_ named: String, in directory: TemporaryDirectory) throws -> Process {
        let logURL = directory.url.appendingPathComponent("named.log")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw NamedServerFailure(reason: "cannot create \(logURL.path)", log: "")
        }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: named)
        process.arguments = ["-g", "-n", "2", "-c", directory.url.appendingPathComponent("named.conf").path]
        process.currentDirectoryURL = directory.url
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func readLog(_ directory: TemporaryDirectory) -> String {
        (try? String(contentsOf: directory.url.appendingPathComponent("named.log"), encoding: .utf8)) ?? ""
    }

    /// Waits for the line named -g prints once zones are loaded ("<timestamp> running"), and
    /// fails when named exited or could not bind a listening socket.
    static func waitUntilRunning(_ process: Process, directory: TemporaryDirectory, timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let log = readLog(directory)
            if log.contains("could not listen") || log.contains("address in use") {
                throw NamedServerFailure(reason: "named could not listen on its port", log: log)
            }
            if log.split(separator: "\n").contains(where: { $0.hasSuffix(" running") }) { return }
            guard process.isRunning else {
                throw NamedServerFailure(reason: "named exited with status \(process.terminationStatus)", log: log)
            }
            usleep(20_000)
        }
        throw NamedServerFailure(reason: "named did not report running within \(timeout)s", log: readLog(directory))
    }

    /// SIGTERM, then SIGKILL after 10 s; waits for the exit.
    static func terminate(_ process: Process) { ServerProcess.terminate(process, grace: 10) }

    /// The key made for `algorithm` (`hmac-sha256`, `hmac-sha512`).
    public func key(_ algorithm: String) -> Key? { keys.first { $0.algorithm == algorithm } }

    /// Path of the master file of `zone` (the server writes its journal beside it).
    public func zoneFilePath(_ zone: String) -> String? {
        zones.first { $0.name == zone }.map { directory.url.appendingPathComponent($0.fileName).path }
    }

    /// What named printed so far.
    public var log: String { Self.readLog(directory) }

    public var processIdentifier: Int32 {
        lock.lock()
        defer { lock.unlock() }
        return process.processIdentifier
    }

    /// Starts named again on the same port and directory after it died or was killed (it
    /// replays its update journal, as after a crash in production) and returns once it answers.
    public func restart(startupTimeout: Double = 30) throws {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { throw NamedServerFailure(reason: "named was stopped; it is not restarted", log: "") }
        Self.terminate(process)
        let earlier = Self.readLog(directory)
        process = try Self.launch(named, in: directory)
        do {
            try Self.waitUntilRunning(process, directory: directory, timeout: startupTimeout)
        } catch let error as NamedServerFailure {
            Self.terminate(process)
            throw NamedServerFailure(reason: error.reason, log: earlier + "--- restarted ---\n" + error.log)
        }
    }

    /// Stops named (SIGTERM, then SIGKILL after 10 s) and waits for it. Idempotent.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        Self.terminate(process)
    }

    deinit { stop() }
}

/// named did not start; carries its log so the test output shows why.
public struct NamedServerFailure: Error, CustomStringConvertible {
    public let reason: String
    public let log: String
    public var description: String { "\(reason)\n--- named log ---\n\(log.suffix(4000))" }
}

extension NamedServer {
    /// A generated zone like the one DESIGN §12 measures: for each of `vhosts` names an A and
    /// an AAAA record, for two in five a `www` CNAME, for two in five a TXT record (about 2.8
    /// records per vhost), plus SOA, NS and the name server's address.
    public static func generatedZone(origin: String, vhosts: Int, serial: UInt32 = 2_024_010_101) -> String {
        var text = """
            $ORIGIN \(origin).
            $TTL 300
            @ IN SOA ns1 hostmaster \(serial) 3600 600 86400 300
            @ IN NS ns1
            ns1 IN A 127.0.0.1

            """
        text.reserveCapacity(vhosts * 120)
        for i in 0..<vhosts {
            let high = (i >> 8) & 0xFF
            let low = i & 0xFF
            text += "vh\(i) IN A 10.\(i >> 16).\(high).\(low)\n"
            text += "vh\(i) IN AAAA 2001:db8::\(String(i >> 16, radix: 16)):\(String(i & 0xFFFF, radix: 16))\n"
            switch i % 5 {
            case 0, 1: text += "www.vh\(i) IN CNAME vh\(i)\n"
            case 3, 4: text += "vh\(i) IN TXT \"vhost \(i)\" \"owner=team-\(i % 17)\"\n"
            default: break
            }
        }
        return text
    }
}
