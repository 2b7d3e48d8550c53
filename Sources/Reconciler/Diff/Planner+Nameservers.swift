import DNS
import DesiredState
import Nginx

/// DESIGN §14 as a pure step of the plan: what each authoritative server publishes, against
/// what the plan was made from (`dns.server` or the zone file) and against what nginx serves.
extension Planner {
    func nameserverFindings(_ context: PlanContext) -> [Finding] {
        var findings: [Finding] = []
        for zone in observation.dns.nameservers.keys.sorted(by: { $0.description < $1.description }) {
            guard let report = observation.dns.nameservers[zone] else { continue }
            findings += reachability(report)
            findings += delegationFindings(zone, report)
            let reference = observation.dns.zones[zone]
            let answering = report.servers.filter { $0.snapshot != nil }
            // No server answered: nothing to compare (reachability said so).
            guard !answering.isEmpty else { continue }
            for vhost in desired.vhosts where vhost.zone == zone {
                let own = Self.flatten(context.claims.claimants(of: Self.probeHost(vhost)))
                for family in AddressFamily.allCases {
                    findings += disagreementFindings(
                        vhost, family, own: own, zone: zone, reference: reference, answering: answering,
                        context: context)
                }
            }
        }
        return findings
    }

    /// `delegation-mismatch` when the NS set resolvers get differs from the apex's.
    func delegationFindings(_ zone: DNSName, _ report: NameserverReport) -> [Finding] {
        guard let resolverNS = report.resolverNS, !report.apexNS.isEmpty, Set(resolverNS) != Set(report.apexNS) else {
            return []
        }
        return [
            Finding(
                kind: .delegationMismatch, vhost: zone.description,
                message:
                    "the NS set resolvers get for \(zone) differs from the one at the zone's apex: resolvers may ask servers that are not kept in sync, or miss some that are",
                evidence: [
                    "apex: " + report.apexNS.joined(separator: " "),
                    "via the resolver: " + (resolverNS.isEmpty ? "(none)" : resolverNS.joined(separator: " ")),
                ])
        ]
    }

    /// `nameservers-disagree` for one vhost and family when an answering server publishes
    /// another set than the plan's source; critical, with the §1 outage named, when resolvers
    /// asking it get an address nginx does not serve.
    func disagreementFindings(
        _ vhost: Vhost, _ family: AddressFamily, own: [Int], zone: DNSName, reference: ZoneSnapshot?,
        answering: [NameserverReport.Server], context: PlanContext
    ) -> [Finding] {
        var findings: [Finding] = []
        let type: RecordType = family == .ipv4 ? .a : .aaaa
        let expected = Set(reference.map { $0.values(vhost.dnsName, type) } ?? [])
        let differing = answering.filter { server in
            server.snapshot.map { Set($0.values(vhost.dnsName, type)) != expected } ?? false
        }
        guard !differing.isEmpty else { return [] }
        // Resolvers asking a differing server get its records: judged on the union.
        let tree = context.tree
        let unserved = vhost.ports.filter { port in
            servingStatus(
                selector: context.selector, own: own, family: family, port: port, host: Self.probeHost(vhost),
                addresses: context.hostAddresses(family), sockets: context.sockets(family, port: port), tree: tree)
                != .served
        }
        let publishedElsewhere = differing.filter { server in
            server.snapshot.map { !$0.values(vhost.dnsName, type).isEmpty } ?? false
        }
        let outage = !publishedElsewhere.isEmpty && !unserved.isEmpty
        var evidence: [String] = []
        if let reference {
            evidence.append(
                "\(reference.read ?? "dns.server") (serial \(reference.serial)): "
                    + describe(reference.values(vhost.dnsName, type), type))
        }
        for server in answering {
            guard let snapshot = server.snapshot else { continue }
            evidence.append(
                "\(server.label) (serial \(snapshot.serial)): "
                    + describe(snapshot.values(vhost.dnsName, type), type))
        }
        var finding = Finding(
            kind: .nameserversDisagree, vhost: vhost.name, family: family,
            message:
                "the authoritative servers of \(zone) do not publish the same \(type) for \(vhost.name): \(differing.map(\.label).joined(separator: ", ")) \(differing.count == 1 ? "differs" : "differ"), so resolvers get an answer that depends on the server they ask"
                + (outage
                    ? "; some get a \(family.rawValue) address that nginx does not serve"
                    : "; it should catch up (check its zone transfers from the primary)"),
            evidence: evidence)
        if outage { finding.severityOverride = .critical }
        findings.append(finding)
        // The §1 outage for the resolvers that ask those servers, when the plan's
        // own source does not already show it.
        if outage && expected.isEmpty {
            for port in unserved {
                findings.append(
                    Finding(
                        kind: .advertisedNotServed, vhost: vhost.name, family: family, port: port,
                        message:
                            "\(publishedElsewhere.map(\.label).joined(separator: ", ")) \(publishedElsewhere.count == 1 ? "publishes" : "publish") \(type) for \(vhost.name), but nginx does not serve it over \(family.rawValue) on port \(port)",
                        evidence: listenEvidence(own, family: family.other, port: port, context: context)
                            + publishedElsewhere.compactMap { server in
                                server.snapshot.map { snapshot in
                                    "\(server.label): "
                                        + snapshot.records(vhost.dnsName, type).map(\.presentation).joined(
                                            separator: ", ")
                                }
                            }))
            }
        }
        return findings
    }

    /// `nameserver-unreachable` for each server that gave no authoritative answer: a warning
    /// while another server of the zone (or `dns.server`) answers over the same family, an
    /// error when none does, since resolvers on that family cannot resolve the zone at all.
    func reachability(_ report: NameserverReport) -> [Finding] {
        var answeredFamilies = Set(report.servers.filter { $0.snapshot != nil }.map(\.family))
        if observation.dns.zones[report.zone] != nil, let family = dnsServerFamily { answeredFamilies.insert(family) }
        var findings: [Finding] = []
        for server in report.servers {
            guard let failure = server.failure else { continue }
            var finding = Finding(
                kind: .nameserverUnreachable, vhost: report.zone.description, family: server.family,
                message:
                    "\(server.label), an authoritative server of \(report.zone), gave no authoritative answer over \(server.family.rawValue)"
                    + (answeredFamilies.contains(server.family)
                        ? "; other servers answer, but resolvers that pick this one wait or fail"
                        : "; no server of the zone answers over \(server.family.rawValue), so resolvers on \(server.family.rawValue) cannot resolve it"),
                evidence: [failure])
            if !answeredFamilies.contains(server.family) { finding.severityOverride = .error }
            findings.append(finding)
        }
        for note in report.notes {
            findings.append(
                Finding(kind: .nameserverUnreachable, vhost: report.zone.description, message: note, evidence: []))
        }
        return findings
    }

    /// The family `dns.server` is reached over, when there is one.
    var dnsServerFamily: AddressFamily? {
        switch desired.dns.provider {
        case .rfc2136(let server, _): server.isIPv6 ? .ipv6 : .ipv4
        case .authoritative(let server?): server.isIPv6 ? .ipv6 : .ipv4
        default: nil
        }
    }

    func describe(_ values: [String], _ type: RecordType) -> String {
        values.isEmpty ? "no \(type)" : "\(type) " + values.joined(separator: ", ")
    }
}
