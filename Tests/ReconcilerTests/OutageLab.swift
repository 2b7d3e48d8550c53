import DNS
import Foundation
import Reconciler
import TestSupport
import Testing

/// DESIGN §1's host, live on loopback: real nginx serving example.social and
/// media.example.social over TLS on 127.0.0.1 and [::1], real named publishing their A and
/// AAAA records (TSIG-signed updates allowed), and a desired-state directory pointing at both.
/// Runs the real `reconcile` binary against them.
final class OutageLab: @unchecked Sendable {
    let dir: TemporaryDirectory
    let port: UInt16
    let nginx: NginxServer
    let named: NamedServer
    let nginxBinary: String
    /// The zone is kept by the `zonefile` provider (named's own zone file, reloaded with rndc)
    /// instead of RFC 2136 updates.
    let zoneFile: Bool

    /// `sites` maps file names under `sites/` to server blocks (use `PORT`, `CERTS`); `records`
    /// are zone lines after the SOA and NS. With `zoneFile`, the desired state uses the
    /// `zonefile` provider on named's zone file, with `rndc reload` as its reload command.
    init(
        sites: [String: String], records: String, vhosts: String, allowUpdate: Bool = true, nginxOverrides: String = "",
        zoneFile: Bool = false
    ) throws {
        self.zoneFile = zoneFile
        nginxBinary = try ServerBinary.require("nginx")
        dir = try TemporaryDirectory(prefix: "reconcile-lab")
        port = LoopbackPort.free()
        try FileManager.default.createDirectory(atPath: dir.path + "/certs", withIntermediateDirectories: true)
        for name in ["example.social", "media.example.social"] {
            try SelfSignedCertificate.write(
                name: name, keyPath: "\(dir.path)/certs/\(name).key", certificatePath: "\(dir.path)/certs/\(name).crt")
        }
        for (file, text) in sites {
            try dir.write(
                "nginx/sites/\(file)",
                text.replacingOccurrences(of: "PORT", with: "\(port)").replacingOccurrences(
                    of: "CERTS", with: dir.path + "/certs"))
        }
        let nginxDir = dir.path + "/nginx"
        let main = try dir.write(
            "nginx/nginx.conf",
            NginxServer.mainConfig(http: "include sites/*.conf;\n" + nginxOverrides, directory: nginxDir))
        nginx = try NginxServer(directory: nginxDir, configPath: main.path)
        named = try NamedServer(
            zones: [.init(name: "example.social", contents: Self.zone(records), allowUpdate: allowUpdate && !zoneFile)],
            keyAlgorithms: ["hmac-sha256"], controlChannel: zoneFile)
        let keyFile = try dir.write("keys/tsig.key", named.key("hmac-sha256")?.keyFile ?? "")
        // As an operator keeps it: readable by its owner only (anything wider is a warning).
        chmod(keyFile.path, 0o600)
        try writeDesired(vhosts: vhosts)
    }

    /// The example.social zone: SOA, NS and its address, then `records`.
    static func zone(_ records: String) -> String {
        """
        $ORIGIN example.social.
        $TTL 300
        @ IN SOA ns1 hostmaster 2026112501 3600 900 1209600 300
          IN NS ns1
        ns1 IN A 127.0.0.1
        \(records)

        """
    }

    /// (Re)writes the desired state with `vhosts` (YAML lines under `vhosts:`; use `PORT`).
    /// `dns` holds more lines of the `dns:` section (`nameservers: [...]`); `tsig: false` leaves
    /// DNS read-only. Without a `nameservers` line the lab lists named itself: its zone's NS,
    /// ns1 at 127.0.0.1 port 53, is where nothing listens (`auto` makes that a warning; the
    /// end-to-end test shows it).
    func writeDesired(
        vhosts: String, test: [String]? = nil, reload: [String]? = nil, dnsPort: UInt16? = nil,
        zoneReload: [String]? = nil, dns: String = "", tsig: Bool = true
    ) throws {
        let prefix = [
            "-p", dir.path + "/nginx/", "-c", dir.path + "/nginx/nginx.conf", "-e", dir.path + "/nginx/error.log",
        ]
        let dns =
            zoneFile || dns.contains("nameservers")
            ? dns : (dns.isEmpty ? "" : dns + "\n") + "nameservers: [\"127.0.0.1:\(dnsPort ?? named.port)\"]"
        let testCommand = test ?? ([nginxBinary, "-t", "-q"] + prefix)
        let reloadCommand = reload ?? ([nginxBinary] + prefix + ["-s", "reload"])
        func flow(_ argv: [String]) -> String { "[" + argv.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        try dir.write(
            "desired/reconcile.yaml",
            """
            host: {ipv4: [127.0.0.1], ipv6: ["::1"]}
            nginx:
              config: ../nginx/nginx.conf
              test: \(flow(testCommand))
              reload: \(flow(reloadCommand))
            \(zoneFile ? zoneFileDNS(reload: zoneReload) : """
            dns:
              provider: rfc2136
              server: "127.0.0.1:\(dnsPort ?? named.port)"
              zones: [example.social]
            \(tsig ? "  tsig: {name: reconcile-hmac-sha256, algorithm: hmac-sha256, secret-file: ../keys/tsig.key}" : "")
            """)
            \(dns.isEmpty ? "" : dns.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

            """)
        try dir.write("desired/vhosts.yaml", "vhosts:\n" + vhosts.replacingOccurrences(of: "PORT", with: "\(port)"))
    }

    /// Writes the desired state's main file with this lab's host and nginx and `dns`, the
    /// whole `dns:` section as given (for providers and layouts ``writeDesired(vhosts:test:reload:dnsPort:zoneReload:dns:tsig:)``
    /// does not write).
    func writeDesired(dnsSection dns: String) throws {
        let prefix = [
            "-p", dir.path + "/nginx/", "-c", dir.path + "/nginx/nginx.conf", "-e", dir.path + "/nginx/error.log",
        ]
        func flow(_ argv: [String]) -> String { "[" + argv.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        try dir.write(
            "desired/reconcile.yaml",
            """
            host: {ipv4: [127.0.0.1], ipv6: ["::1"]}
            nginx:
              config: ../nginx/nginx.conf
              test: \(flow([nginxBinary, "-t", "-q"] + prefix))
              reload: \(flow([nginxBinary] + prefix + ["-s", "reload"]))

            """ + dns)
    }

    /// The `dns:` section of the zone-file mode: named's zone file, reloaded with `reload` (by
    /// default `rndc reload example.social`).
    func zoneFileDNS(reload: [String]?) -> String {
        let command = reload ?? ((named.rndc ?? []) + ["reload", "example.social"])
        return """
            dns:
              provider: zonefile
              zones: [example.social]
              zonefile:
                path: \(named.zoneFilePath("example.social") ?? "")
                reload: [\(command.map { "\"\($0)\"" }.joined(separator: ", "))]
            """
    }

    /// Runs `reconcile ARGS --desired desired --state-dir state` in the lab directory.
    /// `environment` is added to the test process's own.
    func reconcile(_ arguments: [String], timeout: Double = 60, environment: [String: String] = [:]) throws
        -> ChildProcess.Result
    {
        // validate has no state directory, units no output options.
        let command = arguments.first
        let common =
            ["--desired", "desired"] + (command == "validate" ? [] : ["--state-dir", dir.path + "/state"])
            + (command == "units" ? [] : ["--no-color"])
        return try ChildProcess.run(
            [Self.binary] + arguments + common,
            environment: environment.isEmpty
                ? nil : ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
            currentDirectory: dir.path, timeout: timeout)
    }

    /// Runs `reconcile ARGS` in the lab under `script`, so its standard streams are a
    /// pseudo-terminal (what an operator at a shell has), typing `input`; the transcript (both
    /// streams, and the echoed input) and the exit status.
    func reconcileOnTerminal(_ arguments: [String], input: String = "") throws -> (status: Int32, text: String) {
        let script = try ServerBinary.require("script")
        let command = ([Self.binary] + arguments + ["--desired", "desired", "--state-dir", dir.path + "/state"])
            .map { "'\($0)'" }.joined(separator: " ")
        let result = try ChildProcess.run(
            [script, "--quiet", "--return", "--command", command, "/dev/null"], input: Data(input.utf8),
            currentDirectory: dir.path, timeout: 60)
        return (result.status, result.stdout + result.stderr)
    }

    /// An HTTPS GET of `https://HOST:PORT/` connecting to `address`, trusting the lab's certificate
    /// for `host`; the body, or nil when the request fails (refused, wrong certificate, ...).
    func https(_ host: String, via address: String) throws -> String? {
        let curl = try ServerBinary.require("curl")
        let bracketed = address.contains(":") ? "[\(address)]" : address
        let result = try ChildProcess.run([
            curl, "--silent", "--show-error", "--max-time", "5", "--cacert", "\(dir.path)/certs/\(host).crt",
            "--resolve", "\(host):\(port):\(bracketed)", "https://\(host):\(port)/",
        ])
        return result.succeeded ? result.stdout : nil
    }

    /// Every file under nginx/sites, by name.
    func siteFiles() throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path + "/nginx/sites") {
            out[name] = [UInt8](FileManager.default.contents(atPath: dir.path + "/nginx/sites/" + name) ?? Data())
        }
        return out
    }

    /// The values of `type` at `name` as the live server answers (asked with the DNS engine).
    func published(_ name: String, _ type: RecordType) async throws -> [String] {
        let client = DNSClient(server: try DNSServerAddress(host: "127.0.0.1", port: named.port))
        let owner = try DNSName(name)
        return try await client.query(owner, type).records(type, of: owner).map { $0.data.presentation(as: type) }
            .sorted()
    }

    /// The reconcile binary built next to the test bundle.
    static var binary: String { BuiltProduct.path("reconcile") }

    func stop() {
        nginx.stop()
        named.stop()
    }

    deinit { stop() }
}

/// Blocks of the §1 outage: example.social on both families, media only on IPv4.
enum OutageSites {
    static let example = """
        server {
            listen 127.0.0.1:PORT ssl;
            listen [::1]:PORT ssl;
            server_name example.social;
            ssl_certificate CERTS/example.social.crt;
            ssl_certificate_key CERTS/example.social.key;
            return 200 "example\\n";
        }

        """
    static let media = """
        server {
            listen 127.0.0.1:PORT ssl;
            server_name media.example.social;
            ssl_certificate CERTS/media.example.social.crt;
            ssl_certificate_key CERTS/media.example.social.key;
            return 200 "media\\n";
        }

        """
    static let records = """
        @ IN A 127.0.0.1
        @ IN AAAA ::1
        media IN A 127.0.0.1
        media IN AAAA ::1
        """
    static let dualStack = """
          example.social: {families: [ipv4, ipv6], ports: [PORT]}
          media.example.social: {families: [ipv4, ipv6], ports: [PORT]}

        """
}

/// Holds apply's lock from the test process, as a concurrent apply would.
final class StateLockHolder: @unchecked Sendable {
    private var lock: StateDirectory.Lock?
    init(path: String) throws {
        lock = try StateDirectory(path: path).lock(timeout: 1)
    }
    func release() { lock = nil }
}

extension OutageLab {
    /// The §1 host before its IPv6 fix: media served and published on IPv4 only, the desired
    /// state dual-stack, so apply has nginx and DNS work pending.
    static func ipv4OnlyMedia() throws -> OutageLab {
        try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\nmedia IN A 127.0.0.1\n", vhosts: OutageSites.dualStack)
    }

    /// The §1 host once fixed: media served over both families, as DNS publishes it; in sync.
    static func inSync() throws -> OutageLab {
        let media = OutageSites.media.replacingOccurrences(
            of: "listen 127.0.0.1:PORT ssl;", with: "listen 127.0.0.1:PORT ssl;\n    listen [::1]:PORT ssl;")
        return try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": media], records: OutageSites.records,
            vhosts: OutageSites.dualStack)
    }

    /// Both self-signed certificates in one PEM file (each is its own CA): what a client given
    /// `--ca-file` trusts to reach either vhost.
    func certificateBundle() throws -> String {
        var bundle = ""
        for name in ["example.social", "media.example.social"] {
            bundle += try String(contentsOfFile: "\(dir.path)/certs/\(name).crt", encoding: .utf8)
        }
        return try dir.write("certs/bundle.pem", bundle).path
    }

    /// Makes the desired-state directory a git checkout with everything committed; its commit.
    func commitDesiredState() throws -> String {
        let git = try ServerBinary.require("git")
        let desired = dir.path + "/desired"
        let identity = ["-c", "user.name=reconcile tests", "-c", "user.email=tests@example.social"]
        if !FileManager.default.fileExists(atPath: desired + "/.git") {
            try ChildProcess.check([git, "-C", desired, "init", "--quiet"])
        }
        try ChildProcess.check([git, "-C", desired, "add", "--all"])
        try ChildProcess.check(
            [git, "-C", desired] + identity + ["commit", "--quiet", "--allow-empty", "-m", "desired state"])
        return try ChildProcess.run([git, "-C", desired, "rev-parse", "HEAD"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
