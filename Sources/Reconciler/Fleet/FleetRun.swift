import DNS
import DesiredState
import Foundation
import Probe

/// The three places a run of one fleet host differs from a one-host run (DESIGN §15): which
/// host it is and what it reconciles, how it writes DNS, and the plan's fleet step. Each is the
/// identity without `hosts:`.
public enum FleetRun {
    /// The desired state scoped to this run's host: `named` (`--host`), else the one host
    /// whose addresses are on this machine's interfaces.
    public static func scope(
        _ desired: DesiredState, host named: String?,
        interfaces: () -> Set<String> = { HostInterfaces.current().addresses }
    ) throws(ReconcileError) -> DesiredState {
        guard let fleet = desired.fleet else {
            if let named { throw .other("--host \(named): the desired state has one host (host:), not hosts:") }
            return desired
        }
        if case .zonefile = desired.dns.provider {
            throw .other(
                "hosts: needs a DNS server every host writes to (provider rfc2136, or authoritative to only read); a zone file is one host's"
            )
        }
        switch fleet.select(named: named, interfaces: named == nil ? interfaces() : []) {
        case .success(let name): return desired.scoped(to: name)
        case .failure(let error): throw .other(error.description)
        }
    }

    /// The provider a fleet host writes through: compare-and-swap per name, with the registry.
    public static func provider(_ provider: any DNSProvider, desired: DesiredState, directory: String)
        -> any DNSProvider
    {
        guard let fleet = desired.fleet, let host = fleet.selected, let base = provider as? RFC2136Provider else {
            return provider
        }
        return FleetDNSProvider(
            base: base, host: host, fleet: fleet, revision: DesiredRevision.of(directory: directory),
            ttl: desired.dns.ttl)
    }

    /// After a successful apply: records in each zone of the fleet that this host applied its
    /// commit (one UPDATE when the commit changed, none otherwise).
    public static func heartbeat(_ provider: (any DNSProvider)?) async throws(ReconcileError) {
        guard let fleet = provider as? FleetDNSProvider, let key = fleet.base.key else { return }
        for zone in Set(fleet.fleet.allVhosts.map(\.zone)).sorted() {
            try await FleetHeartbeat.beat(
                client: fleet.base.client, key: key, zone: zone, host: fleet.host, revision: fleet.revision,
                ttl: fleet.ttl)
        }
    }

    /// `targets` and every assigned host's addresses of each vhost's families and ports that
    /// they lack (TLS as the vhost's other targets of the port say): a fleet's probe covers every
    /// host that should serve, published or not.
    public static func probeTargets(_ targets: [ProbeTarget], desired: DesiredState) -> [ProbeTarget] {
        guard let fleet = desired.fleet else { return targets }
        var out = targets
        for vhost in desired.vhosts {
            for port in vhost.ports {
                guard let tls = targets.first(where: { $0.vhost == vhost.name && $0.port == port })?.tls else {
                    continue
                }
                for family in vhost.families {
                    for name in fleet.servers(of: vhost.name) {
                        for address in fleet.host(named: name)?.addresses.addresses(family) ?? []
                        where !out.contains(where: {
                            $0.vhost == vhost.name && $0.port == port && $0.address == address
                        }) {
                            out.append(
                                ProbeTarget(
                                    vhost: vhost.name, family: family, address: address,
                                    port: port, tls: tls))
                        }
                    }
                }
            }
        }
        return out
    }

    /// The plan: the planner's, withdrawing only what this host may, then the fleet's step.
    public static func plan(
        _ planner: Planner, provider: any DNSProvider, directory: String, withdrawUnhealthy: Bool
    ) -> Plan {
        let desired = planner.desired
        guard let fleet = desired.fleet, let host = fleet.selected else { return planner.plan() }
        let revision = (provider as? FleetDNSProvider)?.revision ?? DesiredRevision.of(directory: directory)
        let view = FleetView(
            host: host, fleet: fleet, revision: revision, dns: planner.observation.dns, ttl: desired.dns.ttl)
        var fleetPlanner = planner
        fleetPlanner.fleet = view
        var plan = fleetPlanner.plan()
        var step = FleetPlanner(view: view, desired: desired)
        step.withdrawUnhealthy = withdrawUnhealthy
        step.probes = planner.observation.probes ?? []
        step.extend(&plan)
        plan.notes.insert(
            "fleet: this is host \(host) at commit \(revision.commit.prefix(12)); it serves \(desired.vhosts.count) of \(fleet.allVhosts.count) vhosts",
            at: 0)
        return plan
    }
}
