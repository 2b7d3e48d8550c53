import DNS
import Foundation
import Reconciler
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// DESIGN §7 under faults in the DNS phase, against live nginx and named: named killed while
/// an UPDATE is in flight (one message over UDP; the second message of one zone's batch over
/// TCP), and apply killed between two messages of one zone's batch. Each time the next
/// `plan` shows exactly what is left and the next `apply` finishes.
@Suite(.serialized)
struct DNSUpdateFaultTests {
    /// `apply --yes` started without waiting, frozen by SIGSTOP when it reaches `fault`; its
    /// output goes to a file (a pipe would fill and block it while it is frozen).
    struct FrozenApply {
        let process: Process
        let output: String

        init(_ lab: OutageLab, fault: String, arguments: [String] = []) throws {
            output = lab.dir.path + "/apply-output.txt"
            #expect(FileManager.default.createFile(atPath: output, contents: nil))
            let sink = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            defer { try? sink.close() }
            process = Process()
            process.executableURL = URL(fileURLWithPath: OutageLab.binary)
            process.arguments =
                ["apply", "--yes", "--dns-timeout", "3"] + arguments + [
                    "--desired", "desired", "--state-dir", lab.dir.path + "/state", "--no-color",
                ]
            process.currentDirectoryURL = lab.dir.url
            process.environment = ProcessInfo.processInfo.environment.merging([
                FaultPoint.environmentVariable: fault, FaultPoint.signalVariable: "STOP",
            ]) { _, new in new }
            process.standardOutput = sink
            process.standardError = sink
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        /// Whether the process is stopped.
        var isFrozen: Bool { DNSUpdateFaultTests.isStopped(process.processIdentifier) }

        /// Waits until apply froze at its fault point; false when it exited or took too long.
        func waitUntilFrozen(timeout: Double = 120) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline {
                if isFrozen { return true }
                usleep(5_000)
            }
            return false
        }

        func resume() { kill(process.processIdentifier, SIGCONT) }

        /// Waits for the exit (killing it after `timeout`); its status and output.
        func finish(timeout: Double = 60) -> (status: Int32, text: String) {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            return (process.terminationStatus, text)
        }
    }

    /// Whether every thread of process `pid` is stopped (state T in /proc/PID/task/*/stat).
    /// `kill(SIGSTOP)` returns before a busy thread has stopped: one still running could read
    /// the very message a test wants left unread.
    static func isStopped(_ pid: Int32) -> Bool {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task"), !tasks.isEmpty
        else {
            return false
        }
        return tasks.allSatisfy { task in
            let stat = FaultInjectionTests.procFile("/proc/\(pid)/task/\(task)/stat")
            guard let close = stat.lastIndex(of: ")") else { return false }
            return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("T")
        }
    }

    /// The bytes waiting in the receive queue of the UDP socket bound to `port` (/proc/net/udp).
    static func udpQueuedBytes(localPort port: UInt16) -> Int {
        FaultInjectionTests.procFile("/proc/net/udp").split(separator: "\n").dropFirst().reduce(0) { total, line in
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[1].hasSuffix(String(format: ":%04X", port)) else { return total }
            return total + (Int(fields[4].split(separator: ":").last ?? "", radix: 16) ?? 0)
        }
    }

    /// Waits until `condition` holds or `timeout` passes; whether it held.
    static func wait(timeout: Double = 10, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(1_000)
        }
        return condition()
    }

    /// Runs apply until it is about to send UPDATE message `message` of the zone, freezes named,
    /// lets apply send it, waits until it sits unread in named's socket (UDP or TCP), then kills
    /// named. apply's exit status and output.
    static func killNamedWithUpdateInFlight(
        _ lab: OutageLab, message: Int, overTCP: Bool, arguments: [String] = []
    ) throws -> (status: Int32, text: String) {
        let apply = try FrozenApply(
            lab, fault: FaultPoint.beforeUpdateMessage.rawValue + "@\(message)", arguments: arguments)
        let frozen = apply.waitUntilFrozen()
        let named = lab.named.processIdentifier
        kill(named, SIGSTOP)
        let namedStopped = wait { isStopped(named) }
        apply.resume()
        let port = lab.named.port
        let queued = wait {
            (overTCP ? FaultInjectionTests.queuedBytes(localPort: port) : udpQueuedBytes(localPort: port)) > 0
        }
        kill(named, SIGKILL)
        let result = apply.finish()
        #expect(frozen, "apply never reached update message \(message): \(result.text)")
        #expect(namedStopped, "named did not stop")
        #expect(queued, "update message \(message) never reached named's socket")
        return result
    }

    /// Every journal line, decoded.
    static func journal(_ lab: OutageLab) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: lab.dir.path + "/state/journal.jsonl", encoding: .utf8)
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// The §1 outage: named is frozen once apply has served the new listen and is about to
    /// send the AAAA; the update (one UDP datagram) waits in named's socket and named is
    /// killed. apply cannot know whether it was applied and says so; nginx keeps its new
    /// listen (serving more than is advertised is harmless); named, restarted, never applied
    /// it, so the plan shows exactly the AAAA left.
    @Test func namedKilledMidUpdateLeavesAnUnknownOutcomeThatThePlanResolves() async throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        let (status, text) = try Self.killNamedWithUpdateInFlight(lab, message: 1, overTCP: false)
        #expect(status == 1, "\(text)")
        #expect(text.contains("update message 1 of 1 for zone example.social. got no answer"), "\(text)")
        #expect(text.contains("the server may have applied this one before it failed"), "\(text)")
        #expect(text.contains("run `reconcile plan` to see what is left"), "\(text)")
        // Served before advertised: the listen is in and answers.
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        let entries = try Self.journal(lab)
        #expect(entries.last?["result"] as? String == "failed")
        #expect((entries.last?["error"] as? String)?.contains("got no answer") == true)

        try lab.named.restart()
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
        #expect(try FaultInjectionTests().plannedKinds(lab) == ["dns.add"])
        let finished = try lab.reconcile(["apply", "--yes"])
        #expect(finished.status == 0, "\(finished.stdout)\(finished.stderr)")
        #expect(try await lab.published("media.example.social.", .aaaa) == ["::1"])
        #expect(try lab.reconcile(["plan"]).status == 0)
    }

    /// `count` vhosts `hN.example.social` served by one block on both families with no
    /// records yet: `2 * count` additions, more than one UPDATE message holds.
    static func unpublishedLab(count: Int) throws -> OutageLab {
        let names = (0..<count).map { "h\($0).example.social" }
        let block = """
            server {
                listen 127.0.0.1:PORT ssl;
                listen [::1]:PORT ssl;
                server_name \(names.joined(separator: " "));
                ssl_certificate CERTS/example.social.crt;
                ssl_certificate_key CERTS/example.social.key;
                return 200 "many\\n";
            }

            """
        let vhosts = names.map { "  \($0): {families: [ipv4, ipv6], ports: [PORT]}\n" }.joined()
        return try OutageLab(
            sites: ["example.conf": OutageSites.example, "many.conf": block],
            records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\n",
            vhosts: "  example.social: {families: [ipv4, ipv6], ports: [PORT]}\n" + vhosts,
            nginxOverrides: "server_names_hash_max_size 8192;\nserver_names_hash_bucket_size 128;\n")
    }

    /// The `name type value` of every A and AAAA record under `hN.example.social`, from a
    /// zone transfer of the live server.
    static func publishedHosts(_ lab: OutageLab) async throws -> Set<String> {
        let client = DNSClient(server: try DNSServerAddress(host: "127.0.0.1", port: lab.named.port))
        let transfer = try await client.transferZone(try DNSName("example.social."), key: nil)
        return Set(
            transfer.records.filter { ($0.type == .a || $0.type == .aaaa) && $0.name.description.hasPrefix("h") }
                .map { "\($0.name) \($0.type) \($0.data.presentation(as: $0.type))" })
    }

    /// The `name type value` of every record the plan adds.
    static func plannedAdditions(_ lab: OutageLab) throws -> Set<String> {
        let plan = try lab.reconcile(["plan", "--format", "json"])
        #expect(plan.status == 0 || plan.status == 2, "\(plan.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        let actions = object?["actions"] as? [[String: Any]] ?? []
        #expect(actions.allSatisfy { $0["kind"] as? String == "dns.add" }, "\(actions.prefix(3))")
        return Set(
            actions.compactMap { action in
                guard let name = action["name"] as? String, let type = action["type"] as? String,
                    let value = action["value"] as? String
                else { return nil }
                return "\(name) \(type) \(value)"
            })
    }

    static let vhostCount = 600
    /// 1,200 additions is over the default --max-zone-changes of 1000.
    static let limit = ["--max-zone-changes", "5000"]

    /// The first message of the zone's batch is applied; named is frozen as apply sends the
    /// second over TCP, and killed with it unread. Restarted, named holds exactly the first
    /// message's records (each message is atomic), and the plan lists exactly the rest.
    @Test func namedKilledBetweenUpdateMessagesOfOneZone() async throws {
        let lab = try Self.unpublishedLab(count: Self.vhostCount)
        defer { lab.stop() }
        let all = try Self.plannedAdditions(lab)
        #expect(all.count == 2 * Self.vhostCount)
        let (status, text) = try Self.killNamedWithUpdateInFlight(lab, message: 2, overTCP: true, arguments: Self.limit)
        #expect(status == 1, "\(text)")
        #expect(text.contains("update message 2 of 2 for zone example.social. got no answer"), "\(text)")
        #expect(text.contains("the 1 before it were applied"), "\(text)")

        try lab.named.restart()
        let published = try await Self.publishedHosts(lab)
        let left = try Self.plannedAdditions(lab)
        #expect(!published.isEmpty && published.count < all.count, "\(published.count) of \(all.count) published")
        #expect(published.isDisjoint(with: left))
        #expect(published.union(left) == all)

        let finished = try lab.reconcile(["apply", "--yes"] + Self.limit)
        #expect(finished.status == 0, "\(finished.stdout.suffix(2000))\(finished.stderr)")
        #expect(try await Self.publishedHosts(lab) == all)
        #expect(try lab.reconcile(["plan"]).status == 0)
    }

    /// apply killed (SIGKILL) between the first and second message of one zone's batch: the
    /// first message's records are published, the plan lists exactly the rest, and the next
    /// apply journals the killed run as interrupted, then finishes.
    @Test func applyKilledBetweenUpdateMessagesOfOneZone() async throws {
        let lab = try Self.unpublishedLab(count: Self.vhostCount)
        defer { lab.stop() }
        let all = try Self.plannedAdditions(lab)
        let killed = try lab.reconcile(
            ["apply", "--yes"] + Self.limit,
            environment: [FaultPoint.environmentVariable: FaultPoint.beforeUpdateMessage.rawValue + "@2"])
        #expect(killed.status == SIGKILL, "\(killed.stdout.suffix(2000))\(killed.stderr)")
        let published = try await Self.publishedHosts(lab)
        let left = try Self.plannedAdditions(lab)
        #expect(!published.isEmpty && published.count < all.count, "\(published.count) of \(all.count) published")
        #expect(published.isDisjoint(with: left))
        #expect(published.union(left) == all)
        #expect(FileManager.default.fileExists(atPath: lab.dir.path + "/state/apply-in-progress.json"))

        let finished = try lab.reconcile(["apply", "--yes"] + Self.limit)
        #expect(finished.status == 0, "\(finished.stdout.suffix(2000))\(finished.stderr)")
        #expect(
            finished.stderr.contains("did not finish; the journal now records it as interrupted"), "\(finished.stderr)")
        let entries = try Self.journal(lab)
        #expect(entries.map { $0["result"] as? String } == ["interrupted", "applied"])
        #expect((entries.first?["steps"] as? [Any])?.count == all.count)
        #expect(!FileManager.default.fileExists(atPath: lab.dir.path + "/state/apply-in-progress.json"))
        #expect(try await Self.publishedHosts(lab) == all)
        #expect(try lab.reconcile(["plan"]).status == 0)
    }
}
