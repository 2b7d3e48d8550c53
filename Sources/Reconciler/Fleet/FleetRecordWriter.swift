import DNS
import DesiredState
import Foundation

/// Writes one host's intents to the zone's primary as compare-and-swap (DESIGN §15): read the
/// name's A, AAAA and registry sets, decide, send one UPDATE whose prerequisites are exactly
/// the sets read; when another host changed them meanwhile (YXRRSET/NXRRSET), read again and
/// retry, bounded, after a random pause, so concurrent hosts never lose each other's changes.
public struct FleetRecordWriter: Sendable {
    public let client: DNSClient
    public let key: TSIGKey?
    public let zone: DNSName
    public let host: String
    public let fleet: Fleet
    public let revision: DesiredRevision
    public let ttl: UInt32
    /// Attempts per name before the conflict is an error.
    public var maxAttempts = 12
    /// The longest pause between attempts; each pause is random up to twice the last.
    public var maxPause: Duration = .milliseconds(800)

    public init(
        client: DNSClient, key: TSIGKey?, zone: DNSName, host: String, fleet: Fleet, revision: DesiredRevision,
        ttl: UInt32
    ) {
        self.client = client
        self.key = key
        self.zone = zone
        self.host = host
        self.fleet = fleet
        self.revision = revision
        self.ttl = ttl
    }

    /// What writing one intent came to.
    public struct Outcome: Sendable {
        /// The A/AAAA values the name held after this run's write (or the last read).
        public var settled: [AddressFamily: [String]]
        public var added: [AddressFamily: [String]]
        public var deleted: [AddressFamily: [String]]
        public var kept: [KeptAddress]
        public var attempts: Int
        /// Queries and UPDATEs sent.
        public var messages: Int
    }

    public func write(_ intent: FleetIntent) async throws(ReconcileError) -> Outcome {
        guard let registryName = OwnershipRegistry.name(for: intent.name) else {
            throw .other("\(intent.name): no registry name fits under it (the name is too long)")
        }
        let reader = ZoneReader(client: client, key: key, concurrency: 1)
        var messages = 0
        var pause = Duration.milliseconds(20)
        for attempt in 1...maxAttempts {
            var current: [AddressFamily: [String]] = [:]
            var currentData: [AddressFamily: [RData]] = [:]
            for family in AddressFamily.allCases {
                let type: RecordType = family == .ipv4 ? .a : .aaaa
                let records = try await reader.authoritative(intent.name, type, zone: zone).records(
                    type, of: intent.name)
                messages += 1
                currentData[family] = records.map(\.data)
                current[family] = records.map { $0.data.presentation(as: type) }
            }
            let txt = try await reader.authoritative(registryName, .txt, zone: zone).records(.txt, of: registryName)
            messages += 1
            let (entries, _) = OwnershipRegistry.entries(txt)
            let decision = FleetDecision.decide(
                intent, host: host, fleet: fleet, revision: revision, ttl: ttl, current: current, registry: entries,
                registryName: registryName)
            guard !decision.operations.isEmpty else {
                return Outcome(
                    settled: current, added: [:], deleted: [:], kept: decision.kept, attempts: attempt,
                    messages: messages)
            }
            // The exact sets read, the registry's included: any change by another host since
            // the read fails the whole message.
            var prerequisites: [UpdatePrerequisite] = [
                .rrsetEquals(name: registryName, type: .txt, values: txt.map(\.data))
            ]
            for family in AddressFamily.allCases {
                prerequisites.append(
                    .rrsetEquals(
                        name: intent.name, type: family == .ipv4 ? .a : .aaaa, values: currentData[family] ?? []))
            }
            do {
                messages += 1
                try await client.update(
                    zone: zone, changes: [UpdateChange(prerequisites: prerequisites, operations: decision.operations)],
                    key: key)
            } catch {
                guard case .prerequisiteFailed = error, attempt < maxAttempts else {
                    if case .prerequisiteFailed = error {
                        throw .other(
                            "\(intent.name): other hosts kept changing its records; gave up after \(attempt) attempts (run apply again)"
                        )
                    }
                    throw .dns(zone: zone.description, error)
                }
                let bound = min(pause * 2, maxPause)
                let limit = max(1, Int64(bound / .milliseconds(1)))
                try? await Task.sleep(for: .milliseconds(Int64.random(in: 1...limit)))
                pause = bound
                continue
            }
            return Self.outcome(
                of: decision.operations, on: current, kept: decision.kept, attempt: attempt, messages: messages)
        }
        throw .other("\(intent.name): no attempt left")
    }

    /// What a written UPDATE left: the sets read with its additions and deletions applied.
    static func outcome(
        of operations: [UpdateOperation], on current: [AddressFamily: [String]], kept: [KeptAddress], attempt: Int,
        messages: Int
    ) -> Outcome {
        var settled = current
        var added: [AddressFamily: [String]] = [:]
        var deleted: [AddressFamily: [String]] = [:]
        for operation in operations {
            switch operation {
            case .add(let record) where record.type == .a || record.type == .aaaa:
                let family: AddressFamily = record.type == .a ? .ipv4 : .ipv6
                let value = record.data.presentation(as: record.type)
                added[family, default: []].append(value)
                settled[family, default: []].append(value)
            case .deleteRecord(_, let type, let data) where type == .a || type == .aaaa:
                let family: AddressFamily = type == .a ? .ipv4 : .ipv6
                let value = data.presentation(as: type)
                deleted[family, default: []].append(value)
                settled[family]?.removeAll { $0 == value }
            default:
                continue
            }
        }
        return Outcome(
            settled: settled, added: added, deleted: deleted, kept: kept, attempts: attempt, messages: messages)
    }
}
