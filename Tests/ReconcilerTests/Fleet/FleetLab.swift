import Foundation
import Synchronization
import TestSupport

/// DESIGN §15's fleet, live: three hosts each in its own network namespace with its own IPv4 and
/// IPv6 address and real nginx, a BIND primary in a fourth, an IPv4-only and an IPv6-only client
/// namespace, all on a bridge in a namespace of their own. Every namespace is made by the lab
/// under a unique name and deleted by ``tearDown()``; nothing is added to the test's own network.
final class FleetLab: @unchecked Sendable {
    static let hosts = ["h1", "h2", "h3"]
    static let vhosts = ["www", "media", "api"]

    let dir: TemporaryDirectory
    let tag: String
    let git: String
    private(set) var namespaces: [String] = []
    private(set) var named: NamedServer?
    private(set) var nginx: [String: NginxServer] = [:]
    /// The time of the next commit: commits are ordered by their committer time.
    private var nextCommitTime = Int(Date().timeIntervalSince1970) - 10_000

    static func ipv4(_ host: String) -> String { "10.17.0.1\(host.dropFirst())" }
    static func ipv6(_ host: String) -> String { "fd17::1\(host.dropFirst())" }

    func namespace(_ role: String) -> String { "rc\(tag)\(role)" }
    func repo(_ host: String) -> String { dir.path + "/\(host)/repo" }

    init() throws {
        git = try ServerBinary.require("git")
        _ = try ServerBinary.require("ip")
        dir = try TemporaryDirectory(prefix: "reconcile-fleet")
        tag = String(format: "%05x", UInt32.random(in: 0..<0xfffff))
        do {
            try makeNetwork()
            try startNamed()
            try makeRepositories()
            for host in Self.hosts { try startNginx(host) }
        } catch {
            tearDown()
            throw error
        }
    }

    func ip(_ arguments: [String]) throws { try ChildProcess.check(["ip"] + arguments) }

    private func makeNetwork() throws {
        let bridge = namespace("br")
        for role in ["br", "dns", "c4", "c6"] + Self.hosts {
            try ip(["netns", "add", namespace(role)])
            namespaces.append(namespace(role))
            try ip(["-n", namespace(role), "link", "set", "lo", "up"])
        }
        try ip(["-n", bridge, "link", "add", "br0", "type", "bridge"])
        try ip(["-n", bridge, "link", "set", "br0", "up"])
        let addresses: [String: (String?, String?)] = [
            "dns": ("10.17.0.53", "fd17::53"), "c4": ("10.17.0.4", nil), "c6": (nil, "fd17::6"),
            "h1": (Self.ipv4("h1"), Self.ipv6("h1")), "h2": (Self.ipv4("h2"), Self.ipv6("h2")),
            "h3": (Self.ipv4("h3"), Self.ipv6("h3")),
        ]
        for (role, (v4, v6)) in addresses.sorted(by: { $0.key < $1.key }) {
            let ns = namespace(role)
            let port = "v\(tag)\(role)"
            // Made inside the two namespaces directly: the test's own network never sees it.
            try ip(["link", "add", port, "netns", bridge, "type", "veth", "peer", "name", "eth0", "netns", ns])
            try ip(["-n", bridge, "link", "set", port, "master", "br0", "up"])
            if v6 == nil {
                // IPv4 only: not even a link-local IPv6 address.
                try ChildProcess.check([
                    "ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                ])
            }
            if let v4 { try ip(["-n", ns, "addr", "add", v4 + "/24", "dev", "eth0"]) }
            if let v6 { try ip(["-n", ns, "addr", "add", v6 + "/64", "dev", "eth0", "nodad"]) }
            try ip(["-n", ns, "link", "set", "eth0", "up"])
        }
    }

    private func startNamed() throws {
        let zone = """
            $ORIGIN example.social.
            $TTL 5
            @ IN SOA ns1 hostmaster 2026120101 3600 900 1209600 5
              IN NS ns1
            ns1 IN A 10.17.0.53
            ns1 IN AAAA fd17::53

            """
        named = try PrivateNetwork.inside(namespace: namespace("dns")) {
            try NamedServer(
                zones: [.init(name: "example.social", contents: zone)], keyAlgorithms: ["hmac-sha256"], port: 53,
                addresses: ["10.17.0.53", "fd17::53"])
        }
    }

    /// The origin every host pulls from, and one checkout per host with its own nginx and key
    /// beside the desired state (untracked, as on a real host).
    private func makeRepositories() throws {
        let origin = dir.path + "/origin"
        try FileManager.default.createDirectory(atPath: origin + "/desired", withIntermediateDirectories: true)
        try ChildProcess.check([git, "-C", origin, "init", "--quiet", "-b", "main"])
        try writeDesired(hosts: ["h1", "h2"], assignments: [:])
        try commit("two hosts")
        for host in Self.hosts {
            try ChildProcess.check([git, "clone", "--quiet", origin, repo(host)])
            let key = try dir.write("\(host)/repo/keys/tsig.key", named?.key("hmac-sha256")?.keyFile ?? "")
            chmod(key.path, 0o600)
        }
    }

    private func startNginx(_ host: String) throws {
        let nginxDir = repo(host) + "/nginx"
        try FileManager.default.createDirectory(atPath: nginxDir, withIntermediateDirectories: true)
        let config = try siteConfig(host)
        try NginxServer.mainConfig(http: config, directory: nginxDir).write(
            toFile: nginxDir + "/nginx.conf", atomically: true, encoding: .utf8)
        nginx[host] = try PrivateNetwork.inside(namespace: namespace(host)) {
            try NginxServer(directory: nginxDir, configPath: nginxDir + "/nginx.conf")
        }
    }

    /// One block per vhost on the host's IPv4 address and the IPv6 wildcard (bound from the
    /// start, so a later specific IPv6 listen needs no new socket). `capturedIPv6` gives every
    /// other vhost a listen on the host's own IPv6 address too, which nginx then prefers to the
    /// wildcard: requests for `vhost` over IPv6 reach another block, a loss no listen added to
    /// its block fixes.
    /// `silentIPv6` makes that vhost's block close IPv6 connections without an answer (its
    /// listens as they were: only a probe sees it).
    func siteConfig(_ host: String, capturedIPv6 vhost: String? = nil, silentIPv6: String? = nil) throws -> String {
        var text = ""
        for name in Self.vhosts {
            let specific = vhost != nil && name != vhost ? " listen [\(Self.ipv6(host))]:80;" : ""
            let silent = name == silentIPv6 ? " if ($server_addr = \(Self.ipv6(host))) { return 444; }" : ""
            text += """
                server { listen \(Self.ipv4(host)):80; listen [::]:80;\(specific) server_name \(name).example.social;\(silent) return 200 "\(host) \(name)\\n"; }

                """
        }
        return text
    }

    func rewriteNginx(_ host: String, capturedIPv6 vhost: String?, silentIPv6: String? = nil) throws {
        let nginxDir = repo(host) + "/nginx"
        try NginxServer.mainConfig(
            http: try siteConfig(host, capturedIPv6: vhost, silentIPv6: silentIPv6), directory: nginxDir
        ).write(
            toFile: nginxDir + "/nginx.conf", atomically: true, encoding: .utf8)
        try nginx[host]?.reload()
    }

    /// Writes the origin's desired state: `hosts` (each with its two addresses), the three
    /// vhosts on port 80, each with `assignments[vhost]` when given (default every host).
    func writeDesired(hosts: [String], assignments: [String: [String]]) throws {
        var text = "hosts:\n"
        for host in hosts { text += "  \(host): {ipv4: [\(Self.ipv4(host))], ipv6: [\"\(Self.ipv6(host))\"]}\n" }
        text += """
            nginx: {config: ../nginx/nginx.conf}
            dns:
              provider: rfc2136
              server: "10.17.0.53:53"
              zones: [example.social]
              ttl: 5
              nameservers: ["10.17.0.53:53"]
              tsig: {name: reconcile-hmac-sha256, algorithm: hmac-sha256, secret-file: ../keys/tsig.key}
            vhosts:

            """
        for name in Self.vhosts {
            let assigned = assignments[name].map { ", hosts: [\($0.joined(separator: ", "))]" } ?? ""
            text += "  \(name).example.social: {ports: [80]\(assigned)}\n"
        }
        try text.write(toFile: dir.path + "/origin/desired/reconcile.yaml", atomically: true, encoding: .utf8)
    }

    /// Commits the origin's desired state, one step of committer time after the last commit.
    func commit(_ message: String) throws {
        nextCommitTime += 10
        let date = "@\(nextCommitTime) +0000"
        let environment = ProcessInfo.processInfo.environment.merging([
            "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "fleet",
            "GIT_AUTHOR_EMAIL": "fleet@example.social", "GIT_COMMITTER_NAME": "fleet",
            "GIT_COMMITTER_EMAIL": "fleet@example.social",
        ]) { _, new in new }
        let origin = dir.path + "/origin"
        try ChildProcess.check([git, "-C", origin, "add", "--all"])
        let result = try ChildProcess.run(
            [git, "-C", origin, "commit", "--quiet", "--allow-empty", "-m", message], environment: environment)
        guard result.succeeded else { throw FleetLabFailure(reason: "git commit failed: \(result.stderr)") }
    }

    /// The commit `host`'s checkout is at.
    func head(_ host: String) throws -> String {
        try ChildProcess.check([git, "-C", repo(host), "rev-parse", "HEAD"]).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    /// What the timer does first: `git pull --ff-only`.
    func pull(_ host: String) throws {
        try ChildProcess.check([git, "-C", repo(host), "pull", "--quiet", "--ff-only"])
    }

    /// `reconcile apply --yes` on `host`, inside its namespace; the host is found from its
    /// interfaces.
    func apply(_ host: String, _ extra: [String] = []) throws -> ChildProcess.Result {
        try ChildProcess.run(
            [
                "ip", "netns", "exec", namespace(host), OutageLab.binary, "apply", "--yes", "--no-color", "--desired",
                repo(host) + "/desired", "--state-dir", dir.path + "/\(host)/state",
            ] + extra,
            currentDirectory: dir.path, timeout: 120)
    }

    /// `reconcile ARGS` on `host`, inside its namespace.
    func reconcile(_ host: String, _ arguments: [String]) throws -> ChildProcess.Result {
        try ChildProcess.run(
            ["ip", "netns", "exec", namespace(host), OutageLab.binary] + arguments + [
                "--no-color", "--desired", repo(host) + "/desired", "--state-dir", dir.path + "/\(host)/state",
            ], currentDirectory: dir.path, timeout: 120)
    }

    /// `apply` on every host in `hosts` at the same instant.
    func applyTogether(_ hosts: [String], _ extra: [String] = []) -> [String: Result<ChildProcess.Result, any Error>] {
        let results = Mutex<[String: Result<ChildProcess.Result, any Error>]>([:])
        let group = DispatchGroup()
        let start = DispatchTime.now() + .milliseconds(100)
        for host in hosts {
            DispatchQueue.global().async(group: group) {
                let wait = Int64(start.uptimeNanoseconds) - Int64(DispatchTime.now().uptimeNanoseconds)
                if wait > 0 { usleep(UInt32(wait / 1000)) }
                let result = Result { try self.apply(host, extra) }
                results.withLock { $0[host] = result }
            }
        }
        group.wait()
        return results.withLock { $0 }
    }

    /// The `type` values of `name`.example.social as the primary publishes them, asked from
    /// the IPv4-only client.
    func published(_ name: String, _ type: String) throws -> [String] {
        let result = try ChildProcess.check([
            "ip", "netns", "exec", namespace("c4"), "dig", "+short", "+norec", "+time=2", "@10.17.0.53",
            "\(name).example.social", type,
        ])
        return result.stdout.split(separator: "\n").map(String.init).filter { !$0.isEmpty }.sorted()
    }

    /// The body `client` ("c4" or "c6") gets for `vhost` at `address`, port 80.
    func fetch(_ vhost: String, at address: String, from client: String) throws -> String {
        let host = "\(vhost).example.social"
        let bracketed = address.contains(":") ? "[\(address)]" : address
        let result = try ChildProcess.run([
            "ip", "netns", "exec", namespace(client), "curl", "-s", "--max-time", "5", "--resolve",
            "\(host):80:\(bracketed)", "http://\(host)/",
        ])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func tearDown() {
        for server in nginx.values { server.stop() }
        nginx = [:]
        named?.stop()
        named = nil
        for ns in namespaces.reversed() { _ = try? ChildProcess.run(["ip", "netns", "del", ns]) }
        namespaces = []
    }
}

struct FleetLabFailure: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}
