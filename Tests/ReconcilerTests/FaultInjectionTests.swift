import DNS
import Foundation
import Reconciler
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// DESIGN §7's promise under faults, each against live nginx and named: apply killed
/// (SIGKILL) at each step, then run again; a read-only nginx directory; the state directory
/// missing; named killed mid-transfer; a full disk; a clock beyond the TSIG fudge.
@Suite(.serialized)
struct FaultInjectionTests {
    /// Runs `apply --yes` with the process set to kill itself at `point`.
    func applyKilled(at point: FaultPoint, _ lab: OutageLab) throws -> ChildProcess.Result {
        try lab.reconcile(["apply", "--yes"], environment: [FaultPoint.environmentVariable: point.rawValue])
    }

    /// The kinds of the actions a fresh plan proposes, in order.
    func plannedKinds(_ lab: OutageLab) throws -> [String] {
        let plan = try lab.reconcile(["plan", "--format", "json"])
        #expect(plan.status == 0 || plan.status == 2, "\(plan.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        let actions = object?["actions"] as? [[String: Any]] ?? []
        return actions.compactMap { $0["kind"] as? String }
    }

    /// Temp files apply left beside the nginx files.
    func leftoverTemps(_ lab: OutageLab) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: lab.dir.path + "/nginx/sites").filter {
            $0.hasSuffix(".tmp")
        }
    }

    /// Every vhost that was served before still answers on IPv4 and IPv6.
    func expectStillServing(_ lab: OutageLab, _ label: String) throws {
        #expect(try lab.https("example.social", via: "127.0.0.1") == "example\n", "\(label)")
        #expect(try lab.https("example.social", via: "::1") == "example\n", "\(label)")
        #expect(try lab.https("media.example.social", via: "127.0.0.1") == "media\n", "\(label)")
    }

    /// Kills apply at a point of the serve phase, checks what the crash left, then lets a
    /// new apply finish: `newAfterKill` says whether the file must already hold the new bytes.
    func killDuringServe(at point: FaultPoint, newAfterKill: Bool, planAfterKill: [String]) async throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        let media = lab.dir.path + "/nginx/sites/media.conf"
        let old = try #require(FileManager.default.contents(atPath: media))

        let killed = try applyKilled(at: point, lab)
        #expect(killed.status == SIGKILL, "\(point): \(killed.stdout)\(killed.stderr)")
        let afterKill = try #require(FileManager.default.contents(atPath: media))
        #expect((afterKill == old) == !newAfterKill, "\(point): the file is \(afterKill == old ? "old" : "new")")
        try expectStillServing(lab, "\(point)")
        #expect(try await lab.published("media.example.social.", .aaaa) == [], "\(point): advertised before serving")
        #expect(try plannedKinds(lab) == planAfterKill, "\(point)")
        if point == .midWrite {
            #expect(try leftoverTemps(lab).count == 1, "\(point): the temp file the crash left")
        }

        let finished = try lab.reconcile(["apply", "--yes"])
        #expect(finished.status == 0, "\(point): \(finished.stdout)\(finished.stderr)")
        // The killed run wrote no journal line; the next one writes it, as interrupted.
        #expect(
            finished.stderr.contains("did not finish; the journal now records it as interrupted"), "\(finished.stderr)")
        #expect(try DNSUpdateFaultTests.journal(lab).map { $0["result"] as? String } == ["interrupted", "applied"])
        if newAfterKill {
            #expect(
                finished.stdout.contains("an earlier apply stopped before confirming its reload"), "\(finished.stdout)")
        }
        let final = try #require(FileManager.default.contents(atPath: media))
        #expect(final != old)
        // Wholly old or wholly new: what the crash left is one of the two.
        #expect(afterKill == old || afterKill == final, "\(point): the file was torn")
        let temps = try leftoverTemps(lab)
        #expect(temps.isEmpty, "\(point): \(temps)")
        #expect(try lab.https("media.example.social", via: "::1") == "media\n", "\(point)")
        #expect(try await lab.published("media.example.social.", .aaaa) == ["::1"])
        #expect(try lab.reconcile(["plan"]).status == 0, "\(point)")
        #expect(!FileManager.default.fileExists(atPath: lab.dir.path + "/state/pending-reload.json"))
    }

    @Test func killedAfterBackup() async throws {
        try await killDuringServe(
            at: .afterBackup, newAfterKill: false, planAfterKill: ["nginx.add-listen", "dns.add"])
    }

    @Test func killedMidWrite() async throws {
        try await killDuringServe(at: .midWrite, newAfterKill: false, planAfterKill: ["nginx.add-listen", "dns.add"])
    }

    /// The file is new but nginx never loaded it: a fresh plan cannot see that, so the next
    /// apply reloads (and checks the socket) before it publishes the AAAA.
    @Test func killedAfterTest() async throws {
        try await killDuringServe(at: .afterTest, newAfterKill: true, planAfterKill: ["dns.add"])
    }

    @Test func killedAfterReload() async throws {
        try await killDuringServe(at: .afterReload, newAfterKill: true, planAfterKill: ["dns.add"])
    }

    /// Two DNS messages (a replacement in the advertise phase, then a removal): killed after
    /// the first, the plan shows exactly the removal and the nginx removal left.
    @Test func killedBetweenDNSMessages() async throws {
        let dualMedia = OutageSites.example.replacingOccurrences(of: "example.social", with: "media.example.social")
            .replacingOccurrences(of: "\"example\\n\"", with: "\"media\\n\"")
        let lab = try OutageLab(
            sites: [
                "example.conf": OutageSites.example, "media.conf": dualMedia,
                "www.conf":
                    "server { listen 127.0.0.1:PORT; server_name www.example.social; return 200 \"www\\n\"; }\n",
            ],
            // media's AAAA with a 1 s TTL: its listen goes once the withdrawn record's TTL passed.
            records: OutageSites.records.replacingOccurrences(of: "media IN AAAA ::1", with: "media 1 IN AAAA ::1")
                + "\nwww IN A 127.0.0.9\n",
            vhosts: """
                  example.social: {families: [ipv4, ipv6], ports: [PORT]}
                  media.example.social: {families: [ipv4], ports: [PORT]}
                  www.example.social: {families: [ipv4], ports: [PORT]}

                """)
        defer { lab.stop() }
        let initial = try plannedKinds(lab)
        // The replacement of www's A (advertise), then media's AAAA (withdraw), then its listen.
        #expect(initial == ["dns.delete", "dns.add", "dns.delete", "nginx.remove-listen"], "\(initial)")
        let media = try #require(FileManager.default.contents(atPath: lab.dir.path + "/nginx/sites/media.conf"))

        let killed = try applyKilled(at: .betweenDNSMessages, lab)
        #expect(killed.status == SIGKILL, "\(killed.stdout)\(killed.stderr)")
        #expect(try await lab.published("www.example.social.", .a) == ["127.0.0.1"])
        #expect(try await lab.published("media.example.social.", .aaaa) == ["::1"])
        #expect(FileManager.default.contents(atPath: lab.dir.path + "/nginx/sites/media.conf") == media)
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        #expect(try plannedKinds(lab) == ["dns.delete", "nginx.remove-listen"])

        let finished = try lab.reconcile(["apply", "--yes"])
        #expect(finished.status == 0, "\(finished.stdout)\(finished.stderr)")
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
        #expect(try lab.https("media.example.social", via: "127.0.0.1") == "media\n")
        // The listen waits out the withdrawn record's TTL; the next apply removes it.
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        try await Task.sleep(for: .seconds(1.5))
        let unserved = try lab.reconcile(["apply", "--yes"])
        #expect(unserved.status == 0, "\(unserved.stdout)\(unserved.stderr)")
        #expect(try lab.https("media.example.social", via: "::1") == nil)
        #expect(try lab.reconcile(["plan"]).status == 0)
    }

    /// Whether this kernel lets the tests use `chattr +i` (an immutable directory stops root
    /// too, which chmod does not).
    static let canMakeImmutable: Bool = {
        guard getuid() == 0, let chattr = ServerBinary.find("chattr"), let dir = try? TemporaryDirectory() else {
            return false
        }
        guard (try? ChildProcess.run([chattr, "+i", dir.path]))?.succeeded == true else { return false }
        _ = try? ChildProcess.run([chattr, "-i", dir.path])
        return true
    }()

    @Test(.enabled(if: ServerBinary.isCI || canMakeImmutable, "needs root and a file system with chattr +i"))
    func readOnlyNginxDirectoryIsAClearErrorAndChangesNothing() async throws {
        try #require(Self.canMakeImmutable, "needs root and a file system with chattr +i")
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        let chattr = try ServerBinary.require("chattr")
        let sites = lab.dir.path + "/nginx/sites"
        try ChildProcess.check([chattr, "+i", sites])
        defer { _ = try? ChildProcess.run([chattr, "-i", sites]) }
        let before = try lab.siteFiles()
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 1)
        #expect(
            apply.stderr.contains("writing \(sites)/media.conf failed: cannot create \(sites)/.media.conf.reconcile-"),
            "\(apply.stderr)")
        #expect(apply.stderr.contains("Operation not permitted"), "\(apply.stderr)")
        #expect(apply.stderr.contains("every nginx file was restored byte for byte"))
        #expect(try lab.siteFiles() == before)
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
        try expectStillServing(lab, "read-only")
    }

    @Test func missingStateDirectoryIsCreated() throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        let state = lab.dir.path + "/var/lib/reconcile"
        #expect(!FileManager.default.fileExists(atPath: lab.dir.path + "/var"))
        let apply = try ChildProcess.run(
            [OutageLab.binary, "apply", "--yes", "--desired", "desired", "--state-dir", state],
            currentDirectory: lab.dir.path)
        #expect(apply.status == 0, "\(apply.stderr)")
        var info = stat()
        #expect(stat(state, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        #expect(FileManager.default.fileExists(atPath: state + "/lock"))
        #expect(FileManager.default.fileExists(atPath: state + "/journal.jsonl"))
    }

    /// The whole of a /proc file (Foundation trusts its size of 0 and can stop short).
    static func procFile(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The connections to `port` in state ESTABLISHED (from /proc/net/tcp).
    static func establishedConnections(toPort port: UInt16) -> Int {
        let table = procFile("/proc/net/tcp")
        let hexPort = String(format: ":%04X", port)
        return table.split(separator: "\n").dropFirst().filter { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[2].hasSuffix(hexPort) && fields[3] == "01"
        }.count
    }

    /// Starts `reconcile plan --format json` on the lab without waiting; its output (both
    /// streams) comes through the pipe.
    func startPlan(_ lab: OutageLab, dnsTimeout: String) throws -> (Process, Pipe) {
        let plan = Process()
        plan.executableURL = URL(fileURLWithPath: OutageLab.binary)
        plan.arguments = [
            "plan", "--format", "json", "--desired", "desired", "--dns-timeout", dnsTimeout, "--state-dir",
            lab.dir.path + "/state",
        ]
        plan.currentDirectoryURL = lab.dir.url
        let output = Pipe()
        plan.standardOutput = output
        plan.standardError = output
        try plan.run()
        return (plan, output)
    }

    /// named stopped (SIGSTOP) still accepts the transfer's connection in the kernel; once
    /// plan has connected and asked, named is killed: the transfer ends with no answer.
    @Test func namedKilledMidTransferIsAnErrorWithNoActions() async throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        let before = try lab.siteFiles()
        // named answers (its listeners are all up) before it is stopped.
        #expect(try await lab.published("media.example.social.", .a) == ["127.0.0.1"])
        kill(lab.named.processIdentifier, SIGSTOP)
        let (plan, output) = try startPlan(lab, dnsTimeout: "5")
        let deadline = Date().addingTimeInterval(10)
        while Self.establishedConnections(toPort: lab.named.port) == 0 && plan.isRunning && Date() < deadline {
            usleep(1000)
        }
        let connected = Self.establishedConnections(toPort: lab.named.port) > 0
        kill(lab.named.processIdentifier, SIGKILL)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        plan.waitUntilExit()
        #expect(connected, "plan never connected for the transfer: \(text)")
        #expect(plan.terminationStatus == 1, "\(text)")
        #expect(text.contains("\"error\""), "\(text)")
        #expect(text.contains("zone example.social."), "\(text)")
        #expect(!text.contains("\"actions\""), "\(text)")
        #expect(try lab.siteFiles() == before)
    }

    /// The bytes waiting to be read on the established sockets whose local (or remote)
    /// port is `port`, from /proc/net/tcp.
    static func queuedBytes(localPort: UInt16? = nil, remotePort: UInt16? = nil) -> Int {
        let table = procFile("/proc/net/tcp")
        return table.split(separator: "\n").dropFirst().reduce(0) { total, line in
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[3] == "01" else { return total }
            if let localPort, !fields[1].hasSuffix(String(format: ":%04X", localPort)) { return total }
            if let remotePort, !fields[2].hasSuffix(String(format: ":%04X", remotePort)) { return total }
            return total + (Int(fields[4].split(separator: ":").last ?? "", radix: 16) ?? 0)
        }
    }

    /// A transfer cut mid-stream: plan is paused once it has asked, named sends part of a zone
    /// too big for the socket buffers, then dies; plan resumes into a transfer that ends early.
    @Test func namedKilledMidStreamIsAnErrorWithNoActions() async throws {
        let filler = (0..<100_000).map { "h\($0) IN A 127.0.0.1" }.joined(separator: "\n")
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\nmedia IN A 127.0.0.1\n" + filler, vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        let before = try lab.siteFiles()
        #expect(try await lab.published("media.example.social.", .a) == ["127.0.0.1"])
        let named = lab.named.processIdentifier
        kill(named, SIGSTOP)
        let (plan, output) = try startPlan(lab, dnsTimeout: "10")
        // The request is in named's socket: pause plan, let named answer into full buffers.
        var deadline = Date().addingTimeInterval(10)
        while Self.queuedBytes(localPort: lab.named.port) == 0 && plan.isRunning && Date() < deadline { usleep(1000) }
        kill(plan.processIdentifier, SIGSTOP)
        kill(named, SIGCONT)
        deadline = Date().addingTimeInterval(10)
        while Self.queuedBytes(remotePort: lab.named.port) == 0 && Date() < deadline { usleep(1000) }
        usleep(200_000)
        let received = Self.queuedBytes(remotePort: lab.named.port)
        kill(named, SIGKILL)
        kill(plan.processIdentifier, SIGCONT)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        plan.waitUntilExit()
        #expect(received > 0, "named sent nothing before it was killed")
        #expect(lab.named.log.contains("AXFR started"))
        #expect(!lab.named.log.contains("AXFR ended"), "the transfer completed before named was killed")
        #expect(text.contains("the server closed the connection before the response was complete"), "\(text)")
        #expect(plan.terminationStatus == 1, "\(text)")
        #expect(text.contains("zone example.social."), "\(text)")
        #expect(!text.contains("\"actions\""), "\(text)")
        #expect(try lab.siteFiles() == before)
    }

    /// Whether this kernel lets the tests mount a small tmpfs (root with CAP_SYS_ADMIN).
    static let canMountTmpfs: Bool = {
        guard getuid() == 0, let mount = ServerBinary.find("mount"), let umount = ServerBinary.find("umount"),
            let dir = try? TemporaryDirectory()
        else { return false }
        guard (try? ChildProcess.run([mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.path]))?.succeeded == true
        else {
            return false
        }
        _ = try? ChildProcess.run([umount, dir.path])
        return true
    }()

    @Test(.enabled(if: ServerBinary.isCI || canMountTmpfs, "needs root allowed to mount a tmpfs"))
    func fullDiskRestoresAndSaysSo() async throws {
        try #require(Self.canMountTmpfs, "needs root allowed to mount a tmpfs")
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        let sites = lab.dir.path + "/nginx/sites"
        let before = try lab.siteFiles()
        try ChildProcess.check([try ServerBinary.require("mount"), "-t", "tmpfs", "-o", "size=64k", "tmpfs", sites])
        defer { _ = try? ChildProcess.run([(try? ServerBinary.require("umount")) ?? "umount", "-l", sites]) }
        for (name, bytes) in before { try Data(bytes).write(to: URL(fileURLWithPath: sites + "/" + name)) }
        // Fill it: dd stops at ENOSPC.
        _ = try ChildProcess.run([try ServerBinary.require("dd"), "if=/dev/zero", "of=\(sites)/filler", "bs=4096"])
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("writing \(sites)/media.conf failed"), "\(apply.stderr)")
        #expect(apply.stderr.contains("No space left on device"), "\(apply.stderr)")
        #expect(apply.stderr.contains("every nginx file was restored byte for byte"))
        #expect(try lab.siteFiles().filter { $0.key != "filler" } == before)
        #expect(try leftoverTemps(lab).isEmpty)
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
        try expectStillServing(lab, "disk full")
        // Space again: the same apply goes through.
        try FileManager.default.removeItem(atPath: sites + "/filler")
        let again = try lab.reconcile(["apply", "--yes"])
        #expect(again.status == 0, "\(again.stderr)")
    }

    @Test(
        .enabled(
            if: ServerBinary.isCI || ServerBinary.find("faketime") != nil,
            "needs faketime (Debian package faketime) to skew the clock"))
    func clockBeyondTheTSIGFudgeIsReportedAsBADTIME() async throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        let before = try lab.siteFiles()
        let faketime = try ServerBinary.require("faketime")
        // An hour slow: beyond the 300 s fudge. Every signed message (the transfer first) is refused.
        let apply = try ChildProcess.run(
            [
                faketime, "-f", "-3600", OutageLab.binary, "apply", "--yes", "--desired", "desired", "--state-dir",
                lab.dir.path + "/state",
            ],
            currentDirectory: lab.dir.path)
        #expect(apply.status == 1)
        #expect(
            apply.stderr.contains("because the clocks differ by more than the allowed fudge (BADTIME); check NTP"),
            "\(apply.stderr)")
        #expect(try lab.siteFiles() == before)
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
    }
}
