import DNS
import Foundation

/// After apply writes DNS, the zone's other authoritative servers must serve the new record
/// sets too before the write counts as published (DESIGN §14): apply waits, bounded, until
/// each server that answered during the plan serves them, and reports the ones still behind
/// (unreachable servers are reported by the plan, not waited for).
struct Propagation: Sendable {
    /// The servers to wait for, by zone.
    let servers: [DNSName: [NameserverReport.Server]]
    let timeout: Double
    var queryTimeout: Duration = .seconds(2)
    /// A fleet host's write (DESIGN §15) is served once its additions are there and its
    /// deletions gone: the rest of the set is other hosts'.
    var containment = false

    /// A server still behind when the wait ended.
    struct Lagging: Sendable {
        let server: String
        let name: String
        let type: RecordType
        let serves: [String]
        let expected: [String]
    }

    /// Waits until every server of `zone` serves `changes` as they now are; the servers still
    /// behind after the timeout (empty when all caught up).
    func wait(zone: DNSName, changes: [RecordSetChange]) async -> [Lagging] {
        let targets = (servers[zone] ?? []).filter { $0.snapshot != nil }
        guard !targets.isEmpty, !changes.isEmpty else { return [] }
        let deadline = Date().addingTimeInterval(timeout)
        var behind: [Lagging] = []
        repeat {
            behind = []
            for server in targets {
                let client = DNSClient(server: server.address, timeout: queryTimeout, retries: 0)
                for change in changes {
                    let expected = Set(change.expected).subtracting(change.deleting).union(change.adding).sorted()
                    guard let name = try? DNSName(change.name) else { continue }
                    let answer = try? await client.query(name, change.type)
                    let serves = (answer?.records(change.type, of: name) ?? []).map {
                        $0.data.presentation(as: change.type)
                    }.sorted()
                    let caughtUp =
                        containment
                        ? Set(change.adding).isSubset(of: serves) && Set(change.deleting).isDisjoint(with: serves)
                        : serves == expected
                    if answer?.authoritative != true || !caughtUp {
                        behind.append(
                            Lagging(
                                server: server.label, name: change.name, type: change.type, serves: serves,
                                expected: expected))
                    }
                }
            }
            if behind.isEmpty || Date() >= deadline { break }
            try? await Task.sleep(for: .milliseconds(200))
        } while true
        return behind
    }
}
