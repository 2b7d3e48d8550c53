import DNS
import DesiredState
import Foundation

/// The fleet's step after the planner (DESIGN §15), pure: withdraws this host's addresses from
/// vhosts no longer assigned to it, fences itself off a vhost/family its nginx cannot serve
/// (with `--withdraw-unhealthy`), reports what it may not withdraw, and notes the fleet's view
/// of each of its vhosts.
public struct FleetPlanner: Sendable {
    public let view: FleetView
    /// The desired state scoped to this host.
    public let desired: DesiredState
    /// `--withdraw-unhealthy`: withdraw this host's address of a vhost/family its nginx does
    /// not serve (and this run cannot fix), unless it is the last one.
    public var withdrawUnhealthy = false
    /// The run's probes (`plan --probe`), for the serving column of the fleet's view.
    public var probes: [ProbeOutcome] = []

    public init(view: FleetView, desired: DesiredState) {
        self.view = view
        self.desired = desired
    }

    /// What the fleet's step adds to the plan.
    struct Additions {
        var findings: [Finding] = []
        var actions: [Action] = []
    }

    public func extend(_ plan: inout Plan) {
        var additions = Additions()
        let assigned = Set(desired.vhosts.map(\.name))
        for vhost in view.fleet.allVhosts {
            guard let snapshot = view.dns.zone(containing: vhost.dnsName) else { continue }
            for family in AddressFamily.allCases {
                let type: RecordType = family == .ipv4 ? .a : .aaaa
                let published = snapshot.values(vhost.dnsName, type)
                if assigned.contains(vhost.name) {
                    guard vhost.families.contains(family) else { continue }
                    planAssigned(vhost, family, published: published, plan: &plan, into: &additions)
                } else {
                    planUnassigned(vhost, family, published: published, into: &additions)
                }
            }
        }
        plan.notes += notes()
        explainRemovedHosts(&plan.findings)
        merge(additions, into: &plan)
    }

    /// This host's own addresses.
    var ownAddresses: HostAddresses {
        view.fleet.host(named: view.host)?.addresses ?? HostAddresses(ipv4: [], ipv6: [])
    }

    /// A vhost no longer this host's: its addresses go, the other hosts' stay.
    func planUnassigned(_ vhost: Vhost, _ family: AddressFamily, published: [String], into additions: inout Additions) {
        let ownPublished = published.filter(ownAddresses.addresses(family).contains)
        guard !ownPublished.isEmpty else { return }
        withdraw(
            vhost, family, ownPublished, published: published,
            why:
                "host \(view.host) no longer serves \(vhost.name) (its hosts: \(view.fleet.servers(of: vhost.name).joined(separator: ", ")))",
            into: &additions)
    }

    /// A vhost and wanted family of this host: fenced off when its nginx does not serve it (with
    /// `--withdraw-unhealthy`), and the addresses nobody can withdraw reported.
    func planAssigned(
        _ vhost: Vhost, _ family: AddressFamily, published: [String], plan: inout Plan, into additions: inout Additions
    ) {
        let own = ownAddresses.addresses(family)
        let ownPublished = published.filter(own.contains)
        // This host's own probe of the family failed (the probes include its own addresses,
        // published or not: FleetRun.probeTargets).
        let probeFailed = probes.contains { probe in
            probe.vhost == vhost.name && probe.family == family.rawValue && probe.failure != nil
                && own.contains(probe.address)
        }
        let unserved =
            probeFailed
            || plan.findings.contains { finding in
                finding.vhost == vhost.name && finding.family == family
                    && [.advertisedNotServed, .answeredByOtherBlock].contains(finding.kind)
            }
        let fixing = plan.actions.contains {
            $0.kind == .nginxAddListen && $0.vhost == vhost.name && $0.family == family
        }
        if unserved && !fixing && !ownPublished.isEmpty && withdrawUnhealthy {
            withdraw(
                vhost, family, ownPublished, published: published,
                why:
                    "host \(view.host)'s nginx does not serve \(vhost.name) over \(family.rawValue) (--withdraw-unhealthy)",
                into: &additions)
        }
        if probeFailed && withdrawUnhealthy {
            // Not advertised again while its own probe fails (else the next run re-adds it).
            notAdvertised(vhost, family, own, &plan)
        }
        // Addresses nobody can withdraw.
        let strangers = published.filter { view.fleet.owner(of: $0) == nil }
        for kept in view.decide(name: vhost.dnsName, family: family, candidates: strangers, published: published).kept
        where kept.reason == .notAttributable {
            additions.findings.append(
                Finding(
                    kind: .unattributedAddress, vhost: vhost.name, family: family, message: kept.description,
                    evidence: [
                        "no registry record at \(OwnershipRegistry.name(for: vhost.dnsName)?.description ?? "")"
                    ]))
        }
    }

    /// Withdraws what the fleet view lets this host withdraw of `candidates`; the last address
    /// of the family stays, as a critical finding saying `why` it would have gone.
    func withdraw(
        _ vhost: Vhost, _ family: AddressFamily, _ candidates: [String], published: [String], why: String,
        into additions: inout Additions
    ) {
        let decision = view.decide(name: vhost.dnsName, family: family, candidates: candidates, published: published)
        let deleting = decision.deleted(family)
        for kept in decision.kept where kept.reason == .lastAddress {
            additions.findings.append(
                Finding(
                    kind: .lastAddress, vhost: vhost.name, family: family,
                    message: "\(why); \(kept.description)",
                    evidence: published.map { "\(vhost.dnsName) \(family.recordTypeName) \($0)" }))
        }
        for value in deleting {
            additions.actions.append(
                .dns(
                    .dnsDelete, phase: .withdraw, vhost: vhost.name, family: family,
                    record: RecordEdit(
                        zone: vhost.zone.description, name: vhost.dnsName.description, ttl: view.ttl, value: value,
                        prerequisite: published.sorted())))
        }
    }

    /// The step's findings and withdrawals in the plan, in its order.
    func merge(_ additions: Additions, into plan: inout Plan) {
        guard !additions.findings.isEmpty || !additions.actions.isEmpty else { return }
        plan.findings = Finding.inPlanOrder(plan.findings + additions.findings)
        plan.actions = (plan.actions + additions.actions).enumerated().sorted {
            ($0.element.phase.rawValue, $0.offset) < ($1.element.phase.rawValue, $1.offset)
        }.map(\.element)
    }

    /// Drops the plan's additions of `addresses` to the vhost's `family` set, with a note.
    func notAdvertised(_ vhost: Vhost, _ family: AddressFamily, _ addresses: [String], _ plan: inout Plan) {
        let dropped = plan.actions.filter {
            $0.kind == .dnsAdd && $0.vhost == vhost.name && $0.family == family && addresses.contains($0.value ?? "")
        }
        guard !dropped.isEmpty else { return }
        plan.actions.removeAll { dropped.contains($0) }
        plan.notes.append(
            "\(vhost.name) \(family.recordTypeName): \(dropped.compactMap(\.value).joined(separator: ", ")) not published: this host's own probe of it fails (--withdraw-unhealthy)"
        )
    }

    /// A `wrong-address` on a fleet host is a removed host's address (the only other kind it
    /// withdraws): say whose, and why this run may withdraw it.
    func explainRemovedHosts(_ findings: inout [Finding]) {
        for index in findings.indices where findings[index].kind == .wrongAddress {
            guard let vhost = desired.vhosts.first(where: { $0.name == findings[index].vhost }) else { continue }
            let words = Set(findings[index].message.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init))
            let removed = view.registry(of: vhost.dnsName).entries.filter { entry in
                view.fleet.host(named: entry.host) == nil && words.contains(entry.address)
            }
            guard !removed.isEmpty else { continue }
            let owners = removed.map {
                "\($0.address) of host \($0.host) (registered at commit \($0.commit.prefix(12)))"
            }
            findings[index].message =
                "DNS publishes \(owners.joined(separator: ", ")) for \(vhost.name); the desired state no longer lists that host, and this run's commit is newer: withdrawn"
        }
    }

    /// The fleet's view of each of this host's vhosts: per family, which hosts publish (with the
    /// commit their registry record names, and whether it is behind this run's), which assigned
    /// hosts do not, and the probe verdict of each address when the run probed.
    func notes() -> [String] {
        var notes: [String] = []
        for zone in Set(desired.vhosts.map(\.zone)).sorted() {
            let beats = view.heartbeats(in: zone)
            let hosts = view.fleet.hosts.map { host -> String in
                if host.name == view.host {
                    return "\(host.name) at commit \(view.revision.commit.prefix(12)) (this run)"
                }
                guard let beat = beats.first(where: { $0.host == host.name }) else {
                    return "\(host.name) never applied"
                }
                let age = beat.time < view.revision.time ? ", behind" : beat.time > view.revision.time ? ", ahead" : ""
                return "\(host.name) at commit \(beat.commit.prefix(12))\(age)"
            }
            notes.append("fleet: hosts of \(zone): " + hosts.joined(separator: "; "))
        }
        for vhost in desired.vhosts {
            guard let snapshot = view.dns.zone(containing: vhost.dnsName) else { continue }
            let entries = view.registry(of: vhost.dnsName).entries
            for family in vhost.families {
                let published = snapshot.values(vhost.dnsName, family == .ipv4 ? .a : .aaaa).sorted()
                var parts: [String] = []
                for address in published {
                    let owner = view.fleet.owner(of: address)?.name ?? entries.first { $0.address == address }?.host
                    var part = "\(owner ?? "?") \(address)"
                    if let entry = entries.first(where: { $0.address == address }) {
                        let older = view.revision.isNewer(than: entry) ? ", older than this run's" : ""
                        part += " (registered at commit \(entry.commit.prefix(12))\(older))"
                    } else {
                        part += " (no registry record)"
                    }
                    let probed = probes.filter { $0.vhost == vhost.name && $0.address == address }
                    if !probed.isEmpty {
                        part += probed.allSatisfy { $0.failure == nil } ? " serving" : " not serving"
                    }
                    parts.append(part)
                }
                let silent = view.fleet.servers(of: vhost.name).filter { name in
                    !(view.fleet.host(named: name)?.addresses.addresses(family).contains(where: published.contains)
                        ?? false)
                }
                var line = "fleet: \(vhost.name) \(family.recordTypeName): "
                line += parts.isEmpty ? "published by no host" : "published by " + parts.joined(separator: ", ")
                if !silent.isEmpty { line += "; not published by \(silent.joined(separator: ", "))" }
                notes.append(line)
            }
        }
        return notes
    }
}
