import Foundation
import TestSupport
import Testing

/// Issue 17's acceptance, live (DESIGN §15): three hosts reconciling from one desired state with
/// the BIND primary as their only shared state, in namespaces the test makes.
@Suite(.serialized) struct FleetNamespaceTests {
    typealias Lab = FleetLab

    /// Per vhost and family, the union of the assigned hosts' addresses.
    static func union(_ assignments: [String: [String]], hosts: [String]) -> [String: [String: [String]]] {
        var out: [String: [String: [String]]] = [:]
        for vhost in Lab.vhosts {
            let serving = assignments[vhost] ?? hosts
            out[vhost] = ["A": serving.map(Lab.ipv4).sorted(), "AAAA": serving.map(Lab.ipv6).sorted()]
        }
        return out
    }

    func published(_ lab: Lab) throws -> [String: [String: [String]]] {
        var out: [String: [String: [String]]] = [:]
        for vhost in Lab.vhosts {
            out[vhost] = ["A": try lab.published(vhost, "A"), "AAAA": try lab.published(vhost, "AAAA")]
        }
        return out
    }

    /// Runs every host's apply at the same instant until the zone holds `expected` (at most
    /// `passes` times, as the timers would); the passes it took and the seconds.
    func converge(
        _ lab: Lab, _ expected: [String: [String: [String]]], hosts: [String] = Lab.hosts, passes: Int = 4,
        extra: [String] = []
    ) throws -> (passes: Int, seconds: Double) {
        let started = Date()
        for pass in 1...passes {
            for (host, result) in lab.applyTogether(hosts, extra) {
                let run = try result.get()
                // 0, or 2 while a last address waits for another host; never an error.
                #expect(run.status == 0 || run.status == 2, "\(host): \(run.stdout)\n\(run.stderr)")
            }
            if try published(lab) == expected { return (pass, Date().timeIntervalSince(started)) }
        }
        #expect(try published(lab) == expected)
        return (passes, Date().timeIntervalSince(started))
    }

    @Test func threeHostsConvergeOnTheUnionLoseNothingAndHonourCommitsAndHealth() throws {
        let lab = try Lab()
        defer { lab.tearDown() }

        // Commit skew: h1 and h3 on commit N+1, which adds h3; h2 still on N, which does not
        // know h3. All three at once: h2 never withdraws h3.
        try lab.writeDesired(hosts: Lab.hosts, assignments: [:])
        try lab.commit("add h3")
        try lab.pull("h1")
        try lab.pull("h3")
        let skew = try converge(lab, Self.union([:], hosts: Lab.hosts), passes: 2)
        #expect(skew.passes == 1)
        // h1's plan shows h2 behind, at the commit h2 last applied.
        let behind = try lab.reconcile("h1", ["plan"])
        let h2Commit = try lab.head("h2")
        #expect(behind.stdout.contains("h2 at commit \(h2Commit.prefix(12)), behind"), "\(behind.stdout)")
        #expect(behind.stdout.contains("h3 at commit "), "\(behind.stdout)")
        try lab.pull("h2")

        // 20 rounds of random assignments, each committed, pulled by every host, then applied
        // by all three at the same instant.
        var generator = SeededGenerator(seed: 1717)
        var seconds: [Double] = []
        var passes: [Int] = []
        // named logs each signed UPDATE it approves and each prerequisite that failed.
        func updateCounts() -> (approved: Int, conflicts: Int) {
            let log = lab.named?.log ?? ""
            return (
                log.components(separatedBy: "approved").count - 1,
                log.components(separatedBy: "prerequisite not satisfied").count - 1
            )
        }
        let countsBefore = updateCounts()
        var recordChanges = 0
        var previous = Self.union([:], hosts: Lab.hosts)
        for round in 1...20 {
            var assignments: [String: [String]] = [:]
            for vhost in Lab.vhosts {
                let chosen = Lab.hosts.filter { _ in Bool.random(using: &generator) }
                assignments[vhost] = chosen.isEmpty ? [Lab.hosts[round % 3]] : chosen
            }
            try lab.writeDesired(hosts: Lab.hosts, assignments: assignments)
            try lab.commit("round \(round)")
            for host in Lab.hosts { try lab.pull(host) }
            // Random reassignments move more than apply's 30% safety limit allows at once.
            let expected = Self.union(assignments, hosts: Lab.hosts)
            for vhost in Lab.vhosts {
                for type in ["A", "AAAA"] {
                    let before = Set(previous[vhost]?[type] ?? [])
                    let after = Set(expected[vhost]?[type] ?? [])
                    recordChanges += before.symmetricDifference(after).count
                }
            }
            previous = expected
            let result = try converge(lab, expected, extra: ["--force"])
            seconds.append(result.seconds)
            passes.append(result.passes)
        }
        let countsAfter = updateCounts()
        print(
            "fleet: \(recordChanges) record changes over 20 rounds: \(countsAfter.approved - countsBefore.approved) UPDATE messages approved (heartbeats included), \(countsAfter.conflicts - countsBefore.conflicts) refused on prerequisites and retried"
        )
        print(
            "fleet: 20 rounds converged in \(passes.reduce(0, +)) passes (max \(passes.max() ?? 0)); seconds per change: median \(String(format: "%.2f", seconds.sorted()[seconds.count / 2])), max \(String(format: "%.2f", seconds.max() ?? 0))"
        )

        // Every host serves every vhost: every client reaches every vhost at every host address.
        try lab.writeDesired(hosts: Lab.hosts, assignments: [:])
        try lab.commit("every host")
        for host in Lab.hosts { try lab.pull(host) }
        _ = try converge(lab, Self.union([:], hosts: Lab.hosts))
        for vhost in Lab.vhosts {
            for host in Lab.hosts {
                #expect(try lab.fetch(vhost, at: Lab.ipv4(host), from: "c4") == "\(host) \(vhost)")
                #expect(try lab.fetch(vhost, at: Lab.ipv6(host), from: "c6") == "\(host) \(vhost)")
                // Each client has one family only.
                #expect(try lab.fetch(vhost, at: Lab.ipv6(host), from: "c4") == "")
                #expect(try lab.fetch(vhost, at: Lab.ipv4(host), from: "c6") == "")
            }
        }

        // One host's plan shows the fleet: who publishes, at which commit, and (probed) who serves.
        let view = try lab.reconcile("h1", ["plan", "--probe"])
        #expect(view.status == 0, "\(view.stdout)\n\(view.stderr)")
        let fleetLines = view.stdout.split(separator: "\n").filter {
            $0.contains("note: fleet: ") && $0.contains(": published by ")
        }
        #expect(fleetLines.count == 6, "\(view.stdout)")
        for line in fleetLines {
            for host in Lab.hosts {
                let address = line.contains(" AAAA: ") ? Lab.ipv6(host) : Lab.ipv4(host)
                #expect(line.contains("\(host) \(address) (registered at commit "), "\(line)")
            }
            #expect(line.components(separatedBy: ") serving").count == 4, "\(line)")
        }
        #expect(view.stdout.contains("fleet: this is host h1 at commit"))

        // h2's nginx loses www over IPv6 (another block takes its address): without
        // --withdraw-unhealthy a critical finding and nothing withdrawn; with it only h2's AAAA goes.
        try lab.rewriteNginx("h2", capturedIPv6: "www")
        let unfenced = try lab.apply("h2")
        #expect(unfenced.status == 2)
        #expect(unfenced.stdout.contains("critical RC008 answered-by-other-block"), "\(unfenced.stdout)")
        #expect(try lab.published("www", "AAAA") == Lab.hosts.map(Lab.ipv6).sorted())
        let fenced = try lab.apply("h2", ["--withdraw-unhealthy"])
        #expect(fenced.status == 0 || fenced.status == 2, "\(fenced.stdout)\n\(fenced.stderr)")
        #expect(try lab.published("www", "AAAA") == ["fd17::11", "fd17::13"])
        #expect(try lab.published("www", "A") == Lab.hosts.map(Lab.ipv4).sorted())
        #expect(try lab.published("media", "AAAA") == Lab.hosts.map(Lab.ipv6).sorted())
        // Healthy again: the next run publishes it again.
        try lab.rewriteNginx("h2", capturedIPv6: nil)
        _ = try lab.apply("h2")
        #expect(try lab.published("www", "AAAA") == Lab.hosts.map(Lab.ipv6).sorted())

        // h2 answers media over IPv6 with nothing at all, its listens as they were: only its own
        // probe sees it. `apply --probe` reports it; with --withdraw-unhealthy only h2's AAAA
        // goes, and the next such run does not publish it again while the probe fails.
        try lab.rewriteNginx("h2", capturedIPv6: nil, silentIPv6: "media")
        let probed = try lab.apply("h2", ["--probe", "--timeout", "2"])
        #expect(probed.stdout.contains("critical RC010 unreachable"), "\(probed.stdout)")
        #expect(try lab.published("media", "AAAA") == Lab.hosts.map(Lab.ipv6).sorted())
        for _ in 1...2 {
            let fenced = try lab.apply("h2", ["--probe", "--timeout", "2", "--withdraw-unhealthy"])
            #expect(fenced.status == 0 || fenced.status == 2, "\(fenced.stdout)\n\(fenced.stderr)")
            #expect(try lab.published("media", "AAAA") == ["fd17::11", "fd17::13"], "\(fenced.stdout)")
        }
        #expect(try lab.published("media", "A") == Lab.hosts.map(Lab.ipv4).sorted())
        try lab.rewriteNginx("h2", capturedIPv6: nil)
        _ = try lab.apply("h2", ["--probe", "--timeout", "2", "--withdraw-unhealthy"])
        #expect(try lab.published("media", "AAAA") == Lab.hosts.map(Lab.ipv6).sorted())

        // h3 removed from the desired state: h2, still on the older commit, neither removes nor
        // re-adds anything of h3's; h1 on the newer commit withdraws h3's addresses.
        try lab.writeDesired(hosts: ["h1", "h2"], assignments: [:])
        try lab.commit("remove h3")
        try lab.pull("h1")
        _ = try lab.apply("h2")
        #expect(try published(lab) == Self.union([:], hosts: Lab.hosts))
        // A third of the records go at once: past apply's 30% safety limit, so the operator forces.
        let removal = try lab.apply("h1", ["--force"])
        #expect(try published(lab) == Self.union([:], hosts: ["h1", "h2"]), "\(removal.stdout)\n\(removal.stderr)")
        #expect(
            removal.stdout.contains(
                "DNS publishes fd17::13 of host h3 (registered at commit "), "\(removal.stdout)")
        #expect(
            removal.stdout.contains(
                "the desired state no longer lists that host, and this run's commit is newer: withdrawn"))
        _ = try lab.apply("h2")
        #expect(try published(lab) == Self.union([:], hosts: ["h1", "h2"]))
    }
}
