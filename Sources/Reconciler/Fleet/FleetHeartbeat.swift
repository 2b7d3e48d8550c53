import DNS
import DesiredState
import Foundation

/// Which commit each host of a fleet last applied (DESIGN §15): one TXT record per host at
/// `_reconcile-hosts.<zone>`, `reconcile-host host=web1 commit=… time=…`, rewritten by a
/// successful apply only when its commit changed (one UPDATE per commit, not per name). Plans
/// read it to show which hosts are behind. Read back from DNS, it is parsed strictly.
public struct FleetHeartbeat: Sendable, Hashable {
    public var host: String
    public var commit: String
    public var time: Int64

    public init(host: String, revision: DesiredRevision) {
        self.host = host
        commit = revision.commit
        time = revision.time
    }

    public var text: String { "reconcile-host host=\(host) commit=\(commit) time=\(time)" }

    /// `_reconcile-hosts.<zone>`.
    public static func name(in zone: DNSName) -> DNSName? {
        try? DNSName(labels: [Array("_reconcile-hosts".utf8)] + zone.labels)
    }

    /// The heartbeat a TXT record holds, or nil: the same strict form as ``OwnershipEntry``.
    public static func parse(_ data: RData) -> FleetHeartbeat? {
        guard case .txt(let strings) = data, strings.count == 1, let bytes = strings.first, bytes.count <= 255 else {
            return nil
        }
        let words = String(decoding: bytes, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 4, words[0] == "reconcile-host" else { return nil }
        // The address field is the only difference from a registry entry: parse one.
        let asEntry = "reconcile-owner \(words[1]) address=192.0.2.1 \(words[2]) \(words[3])"
        guard let entry = OwnershipEntry.parse(.txt([Array(asEntry.utf8)])) else { return nil }
        return FleetHeartbeat(host: entry.host, revision: DesiredRevision(commit: entry.commit, time: entry.time))
    }

    /// The heartbeats among `records`, at most ``OwnershipRegistry/maxEntries``.
    public static func all(_ records: [ResourceRecord]) -> [FleetHeartbeat] {
        Array(records.filter { $0.type == .txt }.compactMap { parse($0.data) }.prefix(OwnershipRegistry.maxEntries))
    }

    /// Records that `host` applied `revision` in `zone`, unless its record already says so:
    /// compare-and-swap on the record set, as names are written.
    static func beat(
        client: DNSClient, key: TSIGKey, zone: DNSName, host: String, revision: DesiredRevision, ttl: UInt32
    ) async throws(ReconcileError) {
        guard let name = name(in: zone) else { return }
        let reader = ZoneReader(client: client, key: key, concurrency: 1)
        let beat = FleetHeartbeat(host: host, revision: revision)
        for attempt in 1...12 {
            let records = try await reader.authoritative(name, .txt, zone: zone).records(.txt, of: name)
            let own = records.filter { parse($0.data)?.host == host }
            if own.count == 1, own.first.flatMap({ parse($0.data) }) == beat { return }
            var operations = own.map { UpdateOperation.deleteRecord(name: name, type: .txt, data: $0.data) }
            operations.append(
                .add(ResourceRecord(name: name, type: .txt, ttl: ttl, data: .txt([Array(beat.text.utf8)]))))
            do {
                try await client.update(
                    zone: zone,
                    changes: [
                        UpdateChange(
                            prerequisites: [.rrsetEquals(name: name, type: .txt, values: records.map(\.data))],
                            operations: operations)
                    ], key: key)
                return
            } catch {
                guard case .prerequisiteFailed = error, attempt < 12 else { throw .dns(zone: zone.description, error) }
                try? await Task.sleep(for: .milliseconds(Int64.random(in: 1...(20 * Int64(attempt)))))
            }
        }
    }
}
