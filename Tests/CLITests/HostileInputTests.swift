import Foundation
import TestSupport
import Testing

/// `reconcile plan` as a user runs it, on input that once crashed, hung or ate memory: each
/// run ends within seconds with exit 1 and a message naming the input and the limit, under
/// an address-space limit (DESIGN §12).
@Suite struct HostileInputTests {
    /// The address space each run may use: far below what the unbounded paths used to take.
    static let addressSpace = 1 << 30

    /// A desired state in `directory/desired` for one vhost, nginx at `directory/nginx/nginx.conf`
    /// and DNS from `dns` (YAML of the `dns` section's keys).
    func writeDesiredState(in directory: TemporaryDirectory, dns: String) throws {
        try directory.write(
            "desired/reconcile.yaml",
            """
            host: {ipv4: [127.0.0.1]}
            nginx: {config: ../nginx/nginx.conf}
            dns: {zones: [example.test], \(dns)}
            vhosts:
              example.test: {families: [ipv4], ports: [80]}

            """)
    }

    /// A lab whose nginx tree is `nginxConfig` and whose DNS is a zone file (never reached:
    /// nginx is read first).
    func nginxLab(_ nginxConfig: String) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: "reconcile-hostile")
        try directory.write("nginx/nginx.conf", nginxConfig)
        try directory.write(
            "zone/example.test.zone",
            "$ORIGIN example.test.\n$TTL 300\n@ IN SOA ns. host. 1 3600 900 1209600 300\n@ IN A 127.0.0.1\n")
        try writeDesiredState(in: directory, dns: "provider: zonefile, zonefile: {path: ../zone/example.test.zone}")
        return directory
    }

    /// A lab with a valid nginx tree reading the zone from `server` with `limits` (YAML).
    func transferLab(_ server: EndlessZoneTransferServer, limits: String) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: "reconcile-hostile")
        try directory.write(
            "nginx/nginx.conf", "events {}\nhttp {\n  server { listen 127.0.0.1:80; server_name example.test; }\n}\n")
        try writeDesiredState(
            in: directory, dns: "provider: rfc2136, server: \"127.0.0.1:\(server.port)\", limits: {\(limits)}")
        return directory
    }

    func plan(_ directory: TemporaryDirectory, extra: [String] = []) throws -> ChildProcess.Result {
        try ChildProcess.run(
            [
                "prlimit", "--as=\(Self.addressSpace)", CLITests.binary, "plan", "--desired",
                directory.path + "/desired",
                "--no-interface-check", "--no-color",
            ] + extra,
            currentDirectory: directory.path, timeout: 60)
    }

    @Test func tenThousandNestedBlocks() throws {
        let depth = 10_000
        let lab = try nginxLab(String(repeating: "a {\n", count: depth) + String(repeating: "}\n", count: depth))
        let result = try plan(lab)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "nginx/nginx.conf:1001:3: blocks and includes nested more than 1000 levels deep (the limit is nginx.limits.depth in the desired state)"
            ), "\(result.stderr)")
    }

    @Test func includeOfDevZero() throws {
        let lab = try nginxLab("events {}\nhttp {\n    include /dev/zero;\n}\n")
        let result = try plan(lab)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "nginx/nginx.conf:3:5: cannot read included file /dev/zero: it is a character device, not a regular file (include reads only regular files)"
            ), "\(result.stderr)")
    }

    @Test func aFIFOInAnIncludeGlob() throws {
        let lab = try nginxLab("events {}\nhttp {\n    include conf.d/*.conf;\n}\n")
        try lab.write("nginx/conf.d/a.conf", "server { listen 127.0.0.1:80; server_name example.test; }\n")
        #expect(mkfifo(lab.path + "/nginx/conf.d/b.conf", 0o600) == 0)
        let result = try plan(lab)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "nginx/nginx.conf:3:5: cannot read included file \(lab.path)/nginx/conf.d/b.conf: it is a FIFO, not a regular file"
            ), "\(result.stderr)")
    }

    @Test func aTwoHundredMegabyteFile() throws {
        let lab = try nginxLab("events {}\nhttp {\n    include big.conf;\n}\n")
        let big = lab.path + "/nginx/big.conf"
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        #expect(truncate(big, 200 << 20) == 0)
        let result = try plan(lab)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "nginx/nginx.conf:3:5: included file \(big) is larger than 67108864 bytes, the limit for one file (nginx.limits.file-bytes in the desired state)"
            ), "\(result.stderr)")
    }

    @Test func anEndlessTransferStopsAtTheRecordLimit() throws {
        let server = try EndlessZoneTransferServer(pace: .flood)
        defer { server.stop() }
        let result = try plan(try transferLab(server, limits: "transfer-records: 200000"))
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "zone transfer of example.test. from DNS server 127.0.0.1:\(server.port) stopped: it went past 200000 records (dns.limits.transfer-records)"
            ), "\(result.stderr)")
    }

    @Test func anEndlessTransferStopsAtTheByteLimit() throws {
        let server = try EndlessZoneTransferServer(pace: .flood)
        defer { server.stop() }
        let result = try plan(try transferLab(server, limits: "transfer-bytes: 5000000"))
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "zone transfer of example.test. from DNS server 127.0.0.1:\(server.port) stopped: it went past 5000000 bytes (dns.limits.transfer-bytes)"
            ), "\(result.stderr)")
    }

    /// Never idle for the idle timeout (5 s here, far above the 20 ms between records), so
    /// only the overall deadline can end it.
    @Test func aTransferThatNeverGoesIdleStopsAtTheDeadline() throws {
        let server = try EndlessZoneTransferServer(pace: .trickle(interval: .milliseconds(20)))
        defer { server.stop() }
        let result = try plan(try transferLab(server, limits: "transfer-seconds: 2"), extra: ["--dns-timeout", "5"])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "zone transfer of example.test. from DNS server 127.0.0.1:\(server.port) stopped: it went past its deadline of 2 s (dns.limits.transfer-seconds)"
            ), "\(result.stderr)")
    }

    /// nginx's tree and the zones are read at once: a broken tree is reported as soon as it is
    /// read, not after a transfer that a stuck server drags out to its deadline (60 s here).
    @Test func anNginxErrorDoesNotWaitForAStuckTransfer() throws {
        let server = try EndlessZoneTransferServer(pace: .trickle(interval: .seconds(2)))
        defer { server.stop() }
        let lab = try transferLab(server, limits: "transfer-seconds: 60")
        try lab.write("nginx/nginx.conf", "events {}\nhttp {\n    include /dev/zero;\n}\n")
        let started = Date()
        let result = try plan(lab, extra: ["--dns-timeout", "60"])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("nginx/nginx.conf:3:5: cannot read included file /dev/zero"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 15, "the run waited for the transfer")
    }
}
