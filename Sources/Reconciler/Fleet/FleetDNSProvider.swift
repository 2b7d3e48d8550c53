import DNS
import DesiredState
import Foundation
import Synchronization

/// The DNS provider of one fleet host (DESIGN §15): reads as the RFC 2136 provider does; writes
/// each planned record-set change as a ``FleetIntent`` through ``FleetRecordWriter``, which
/// re-reads and decides afresh, so the plan's expected sets (stale once another host wrote)
/// never overwrite another host's change.
public struct FleetDNSProvider: DNSProvider {
    public let base: RFC2136Provider
    public let host: String
    public let fleet: Fleet
    public let revision: DesiredRevision
    public let ttl: UInt32
    /// What the writes came to, for apply's propagation wait and its report.
    public let log = FleetWriteLog()

    public init(base: RFC2136Provider, host: String, fleet: Fleet, revision: DesiredRevision, ttl: UInt32) {
        self.base = base
        self.host = host
        self.fleet = fleet
        self.revision = revision
        self.ttl = ttl
    }

    public var readOnlyReason: String? { base.readOnlyReason }
    public var summary: String { base.summary + " (fleet host \(host))" }

    public func observe(zones: [DNSName], names: [DNSName]) async throws(ReconcileError) -> DNSObservation {
        try await base.observe(zones: zones, names: names)
    }

    public func apply(zone: DNSName, changes: [RecordSetChange], observed: ZoneSnapshot?) async throws(ReconcileError) {
        guard base.key != nil else { throw .other(readOnlyReason ?? "DNS is read-only") }
        let writer = FleetRecordWriter(
            client: base.client, key: base.key, zone: zone, host: host, fleet: fleet, revision: revision, ttl: ttl)
        var byName: [String: FleetIntent] = [:]
        for change in changes {
            let name = try change.dnsName()
            var intent =
                byName[change.name]
                ?? FleetIntent(name: name, wanted: Set(fleet.allVhosts.first { $0.dnsName == name }?.families ?? []))
            intent.publish[change.family, default: []] += change.adding
            intent.withdraw[change.family, default: []] += change.deleting
            byName[change.name] = intent
        }
        for name in byName.keys.sorted() {
            guard let intent = byName[name] else { continue }
            let outcome = try await writer.write(intent)
            log.record(name: name, outcome)
        }
    }
}

/// The outcomes of one apply's fleet writes, by name.
public final class FleetWriteLog: Sendable {
    private let outcomes = Mutex<[String: FleetRecordWriter.Outcome]>([:])

    public init() {}

    func record(name: String, _ outcome: FleetRecordWriter.Outcome) {
        outcomes.withLock { $0[name] = outcome }
    }

    public var all: [String: FleetRecordWriter.Outcome] { outcomes.withLock { $0 } }

    /// `changes` as written: what this host added and deleted, with nothing expected of the
    /// rest of the set (other hosts may change it at any time).
    func written(_ changes: [RecordSetChange]) -> [RecordSetChange] {
        let done = all
        return changes.map { change in
            var written = change
            written.expected = []
            written.adding = done[change.name]?.added[change.family] ?? []
            written.deleting = done[change.name]?.deleted[change.family] ?? []
            return written
        }
    }
}
