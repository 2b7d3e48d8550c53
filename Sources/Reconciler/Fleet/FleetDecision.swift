import DNS
import DesiredState

/// What one host of a fleet wants done to one name's A/AAAA sets (DESIGN §15), before a fresh
/// read of the sets decides what that means: ``FleetDecision``.
public struct FleetIntent: Sendable, Hashable {
    public var name: DNSName
    /// This host's own addresses to publish (its nginx serves them).
    public var publish: [AddressFamily: [String]]
    /// Addresses to withdraw: this host's own, or those of hosts the desired state removed.
    public var withdraw: [AddressFamily: [String]]
    /// The families the vhost wants: the last address of one of them is never withdrawn.
    public var wanted: Set<AddressFamily>

    public init(
        name: DNSName, publish: [AddressFamily: [String]] = [:], withdraw: [AddressFamily: [String]] = [:],
        wanted: Set<AddressFamily>
    ) {
        self.name = name
        self.publish = publish
        self.withdraw = withdraw
        self.wanted = wanted
    }
}

/// An address a run left in place although asked to withdraw it, and why.
public struct KeptAddress: Sendable, Hashable {
    public enum Reason: Sendable, Hashable {
        /// Withdrawing it would leave the family without an address: an outage.
        case lastAddress
        /// No registry entry says which host put it there.
        case notAttributable
        /// A host of the desired state owns it; only that host withdraws it.
        case ownedBy(String)
        /// Its registry entry is from a revision at least as new as this run's.
        case newerOwner(OwnershipEntry)
    }

    public var name: String
    public var family: AddressFamily
    public var address: String
    public var reason: Reason

    public var description: String {
        let what = "\(name) \(family.recordTypeName) \(address)"
        switch reason {
        case .lastAddress:
            return
                "kept \(what): it is the last \(family.recordTypeName) address of \(name); withdrawing it would take \(name) off \(family.rawValue)"
        case .notAttributable:
            return
                "kept \(what): no registry record says which host published it, so no host withdraws it (remove it by hand if it is wrong)"
        case .ownedBy(let host):
            return "kept \(what): it is host \(host)'s address; only \(host)'s run withdraws it"
        case .newerOwner(let entry):
            return
                "kept \(what): host \(entry.host) registered it at commit \(entry.commit.prefix(12)), not older than this run's desired state"
        }
    }
}

/// The UPDATE one run sends for one name, computed from the record sets just read: adds only
/// this host's addresses (with their registry records), withdraws only what it can attribute,
/// never the last address of a wanted family.
public struct FleetDecision: Sendable, Hashable {
    public var operations: [UpdateOperation]
    public var kept: [KeptAddress]
    /// The families whose address set the operations change.
    public var families: Set<AddressFamily>

    /// The `family` values the operations delete.
    public func deleted(_ family: AddressFamily) -> [String] {
        let type: RecordType = family == .ipv4 ? .a : .aaaa
        return operations.compactMap { operation in
            guard case .deleteRecord(_, let deleted, let data) = operation, deleted == type else { return nil }
            return data.presentation(as: type)
        }
    }

    public static func decide(
        _ intent: FleetIntent, host: String, fleet: Fleet, revision: DesiredRevision, ttl: UInt32,
        current: [AddressFamily: [String]], registry: [OwnershipEntry], registryName: DNSName
    ) -> FleetDecision {
        var operations: [UpdateOperation] = []
        var kept: [KeptAddress] = []
        var families: Set<AddressFamily> = []
        let own = fleet.host(named: host)?.addresses
        let nameText = intent.name.description
        func record(_ address: String, _ family: AddressFamily) -> RData? {
            family == .ipv4 ? IPv4Bytes(address).map(RData.a) : IPv6Bytes(address).map(RData.aaaa)
        }
        for family in AddressFamily.allCases {
            let type: RecordType = family == .ipv4 ? .a : .aaaa
            let published = current[family] ?? []
            var remaining = Set(published)
            let ownAddresses = Set(own?.addresses(family) ?? [])
            for address in (intent.publish[family] ?? []).sorted() where ownAddresses.contains(address) {
                guard let data = record(address, family) else { continue }
                if !remaining.contains(address) {
                    operations.append(.add(ResourceRecord(name: intent.name, type: type, ttl: ttl, data: data)))
                    remaining.insert(address)
                    families.insert(family)
                }
                if !registry.contains(where: { $0.host == host && $0.address == address }) {
                    let entry = OwnershipEntry(host: host, address: address, family: family, revision: revision)
                    operations.append(.add(ResourceRecord(name: registryName, type: .txt, ttl: ttl, data: entry.rdata)))
                }
            }
            for address in (intent.withdraw[family] ?? []).sorted() where remaining.contains(address) {
                guard let data = record(address, family) else { continue }
                let entries = registry.filter { $0.address == address }
                if !ownAddresses.contains(address) {
                    if let owner = fleet.owner(of: address)
                        ?? entries.first(where: { fleet.host(named: $0.host) != nil })
                        .flatMap({ fleet.host(named: $0.host) })
                    {
                        kept.append(
                            .init(name: nameText, family: family, address: address, reason: .ownedBy(owner.name)))
                        continue
                    }
                    guard let newest = entries.max(by: { $0.time < $1.time }) else {
                        kept.append(.init(name: nameText, family: family, address: address, reason: .notAttributable))
                        continue
                    }
                    guard revision.isNewer(than: newest) else {
                        kept.append(
                            .init(name: nameText, family: family, address: address, reason: .newerOwner(newest)))
                        continue
                    }
                }
                if intent.wanted.contains(family) && remaining.count <= 1 {
                    kept.append(.init(name: nameText, family: family, address: address, reason: .lastAddress))
                    continue
                }
                operations.append(.deleteRecord(name: intent.name, type: type, data: data))
                remaining.remove(address)
                families.insert(family)
                for entry in entries {
                    operations.append(.deleteRecord(name: registryName, type: .txt, data: entry.rdata))
                }
            }
        }
        return FleetDecision(operations: operations, kept: kept, families: families)
    }
}
