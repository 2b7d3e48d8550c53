import DNS
import DesiredState
import Foundation

/// What one host of a fleet sees of the names it manages (DESIGN §15): the registry read with
/// the zone, and which published addresses this run may withdraw. The planner asks it before
/// proposing any withdrawal; ``FleetPlanner`` adds the fleet's own findings and actions.
public struct FleetView: Sendable {
    public let host: String
    public let fleet: Fleet
    public let revision: DesiredRevision
    public let dns: DNSObservation
    public let ttl: UInt32

    public init(host: String, fleet: Fleet, revision: DesiredRevision, dns: DNSObservation, ttl: UInt32) {
        self.host = host
        self.fleet = fleet
        self.revision = revision
        self.dns = dns
        self.ttl = ttl
    }

    /// The registry entries of `name` as the zone was read, and how many TXT records there were
    /// not entries.
    public func registry(of name: DNSName) -> (entries: [OwnershipEntry], rejected: Int) {
        guard let registryName = OwnershipRegistry.name(for: name), let snapshot = dns.zone(containing: name) else {
            return ([], 0)
        }
        return OwnershipRegistry.entries(snapshot.records(registryName, .txt))
    }

    /// The commit each host last applied, as `zone` was read.
    public func heartbeats(in zone: DNSName) -> [FleetHeartbeat] {
        guard let name = FleetHeartbeat.name(in: zone), let snapshot = dns.zones[zone] else { return [] }
        return FleetHeartbeat.all(snapshot.records(name, .txt))
    }

    /// The families `vhost` wants, from the whole desired state.
    func wanted(_ name: DNSName) -> Set<AddressFamily> {
        Set(fleet.allVhosts.first { $0.dnsName == name }?.families ?? [])
    }

    /// The decision on withdrawing `candidates` from `name`'s `family` set, which holds
    /// `published`, as the zone was read.
    public func decide(name: DNSName, family: AddressFamily, candidates: [String], published: [String]) -> FleetDecision
    {
        let registryName = OwnershipRegistry.name(for: name) ?? name
        return FleetDecision.decide(
            FleetIntent(name: name, withdraw: [family: candidates], wanted: wanted(name)), host: host, fleet: fleet,
            revision: revision, ttl: ttl, current: [family: published], registry: registry(of: name).entries,
            registryName: registryName)
    }

    /// Those of `candidates` this run may withdraw from the vhost's `family` set: its own
    /// addresses and those of hosts the desired state removed (at an older commit), never
    /// the last address of a family the vhost wants.
    public func withdrawable(_ vhost: Vhost, _ family: AddressFamily, candidates: [String], published: [String])
        -> [String]
    {
        decide(name: vhost.dnsName, family: family, candidates: candidates, published: published).deleted(family)
    }
}
