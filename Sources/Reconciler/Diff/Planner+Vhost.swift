import DNS
import DesiredState
import Nginx

/// One vhost as the planner's steps see it: its blocks and what DNS publishes for it.
struct VhostView {
    let vhost: Vhost
    /// The Host a request for the vhost carries.
    let probeHost: String
    /// Every block whose server_name matches, best first (nginx's order): whichever of them
    /// nginx picks on a socket is the vhost's own block there.
    let own: [Int]
    /// The best-matching group of blocks.
    let preferred: [Int]
    /// DNS as published, unless the name is a CNAME (then not managed here).
    var dnsManaged = true
    var published = FamilyPair<[ResourceRecord]>(ipv4: [], ipv6: [])
    /// The CNAME chain followed inside the managed zones, as zone lines.
    var viaCNAME: String?
    /// The published values per family in text form, when they are the name's own records
    /// (no CNAME): computed once for both the preconditions and the diff.
    var publishedText = FamilyPair<[String]?>(ipv4: nil, ipv6: nil)
}

/// One value per address family in two fields: a dictionary per vhost and family, allocated
/// and freed 100,000 times, was a visible part of the plan.
struct FamilyPair<Value> {
    var ipv4: Value
    var ipv6: Value

    subscript(_ family: AddressFamily) -> Value {
        get { family == .ipv4 ? ipv4 : ipv6 }
        set {
            if family == .ipv4 { ipv4 = newValue } else { ipv6 = newValue }
        }
    }
}

extension FamilyPair: Sendable where Value: Sendable {}

/// One family of one vhost: what is published, the host's addresses, how nginx serves each port.
struct FamilyView {
    let family: AddressFamily
    let records: [ResourceRecord]
    let publishedValues: [String]
    let hostAddresses: [String]
    /// How nginx serves each of the vhost's ports, in the order of ``Vhost/ports``.
    var status: [Planner.ServingStatus] = []
    /// Only a finding shows the records.
    var recordEvidence: [String] { records.map(\.presentation) }
}

/// What the vhosts' steps start from, read for every vhost before any step runs (on both
/// cores, as it needs nothing the steps change): each vhost's blocks, what DNS publishes for
/// it and how nginx serves each family and port, with the findings, notes and record sets
/// that reading made, in order, each vhost's part known by where it ends.
struct VhostReadings {
    var views: [VhostView] = []
    var families: [FamilyPair<FamilyView>] = []
    var found = PlanDraft.Found()
    /// Where each vhost's part of ``found`` ends.
    var ends: [PlanDraft.Found.Ends] = []
}

extension Planner {
    /// Reads `vhosts` (see ``VhostReadings``).
    func read(_ vhosts: ArraySlice<Vhost>, context: PlanContext) -> VhostReadings {
        var readings = VhostReadings()
        readings.views.reserveCapacity(vhosts.count)
        readings.families.reserveCapacity(vhosts.count)
        readings.ends.reserveCapacity(vhosts.count)
        for vhost in vhosts {
            let (view, families) = read(vhost, context: context, into: &readings.found)
            readings.views.append(view)
            readings.families.append(families)
            readings.ends.append(readings.found.ends)
        }
        return readings
    }

    /// One vhost's blocks, records and serving per family and port.
    func read(_ vhost: Vhost, context: PlanContext, into found: inout PlanDraft.Found) -> (
        VhostView, FamilyPair<FamilyView>
    ) {
        let probeHost = Self.probeHost(vhost)
        let claimants = context.claims.claimants(of: probeHost)
        var view = VhostView(
            vhost: vhost, probeHost: probeHost, own: Self.flatten(claimants), preferred: claimants.first ?? [])
        if view.own.isEmpty {
            found.findings.append(
                Finding(
                    kind: .missingServerBlock, vhost: vhost.name,
                    message:
                        "no server block has a server_name matching \(vhost.name) (exact, wildcard or regex); add one (reconcile does not write server blocks)",
                    evidence: [
                        "searched \(Self.count(context.tree.serverBlocks.count, "server block")) in \(Self.count(context.tree.files.count, "file"))"
                    ]))
        }
        readPublished(&view, into: &found)
        func facts(_ family: AddressFamily) -> FamilyView {
            let records = view.published[family]
            var facts = FamilyView(
                family: family, records: records,
                publishedValues: view.publishedText[family] ?? records.map { $0.data.presentation(as: $0.type) },
                hostAddresses: context.hostAddresses(family))
            facts.status.reserveCapacity(vhost.ports.count)
            for port in vhost.ports {
                facts.status.append(
                    servingStatus(
                        selector: context.selector, own: view.own, family: facts.family, port: port, host: probeHost,
                        addresses: facts.hostAddresses, sockets: context.sockets(family, port: port), tree: context.tree
                    ))
            }
            return facts
        }
        return (view, FamilyPair(ipv4: facts(.ipv4), ipv6: facts(.ipv6)))
    }

    /// One vhost's steps, from what was read of it: per family the serving, record and
    /// unserving steps.
    func planVhost(
        _ view: VhostView, _ families: FamilyPair<FamilyView>, context: PlanContext, into draft: inout PlanDraft
    ) {
        for family in AddressFamily.allCases {
            let facts = families[family]
            if view.vhost.families.contains(family) {
                let willServe = planServing(view, facts, context: context, into: &draft)
                planRecords(view, facts, willServe: willServe, into: &draft)
            } else {
                planWithdrawal(view, facts, context: context, into: &draft)
                planListenRemovals(view, facts, context: context, into: &draft)
            }
        }
    }

    /// What DNS publishes for the vhost (following in-zone CNAMEs), and its record sets for
    /// the preconditions.
    func readPublished(_ view: inout VhostView, into draft: inout PlanDraft.Found) {
        let vhost = view.vhost
        guard let snapshot = observation.dns.zone(containing: vhost.dnsName) else {
            view.dnsManaged = false
            draft.notes.append("\(vhost.name): its zone \(vhost.zone) was not observed")
            return
        }
        switch observation.dns.resolve(vhost.dnsName) {
        case .records(let v4, let v6, let chain):
            view.published[.ipv4] = v4
            view.published[.ipv6] = v6
            if let chain {
                view.viaCNAME = chain
                view.dnsManaged = false
            }
        case .external(let chain):
            view.dnsManaged = false
            draft.findings.append(
                Finding(
                    kind: .externalCNAME, vhost: vhost.name,
                    message:
                        "\(vhost.name) is a CNAME to a name outside the managed zones; its DNS is not managed here",
                    evidence: chain))
            view.published = FamilyPair(ipv4: [], ipv6: [])
        }
        let direct = view.dnsManaged && view.viaCNAME == nil
        let dnsNameText = vhost.dnsName.description
        for family in AddressFamily.allCases {
            // Without a CNAME, what resolve found are the name's own records.
            let own =
                direct ? view.published[family] : snapshot.records(vhost.dnsName, family == .ipv4 ? .a : .aaaa)
            let values = own.map { $0.data.presentation(as: $0.type) }
            if direct { view.publishedText[family] = values }
            draft.recordSets.append(.init(name: dnsNameText, type: family.recordTypeName, values: values.sorted()))
        }
    }
}
