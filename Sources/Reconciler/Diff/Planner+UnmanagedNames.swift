import DNS

extension Planner {
    /// Names nginx serves inside managed zones that the desired state does not list.
    func unmanagedNameFindings(_ context: PlanContext) -> [Finding] {
        var findings: [Finding] = []
        var reported: Set<String> = []
        // Made at its final size: most of a large tree's names may be unlisted aliases.
        reported.reserveCapacity(context.tree.serverBlocks.reduce(0) { $0 + $1.serverNames.count })
        for block in context.tree.serverBlocks {
            for name in block.serverNames where name.kind == .exact && !name.name.isEmpty {
                // Each name is judged once: a name that fails the checks fails them every time.
                guard !context.isVhost(name.name), reported.insert(name.name).inserted,
                    let dnsName = try? DNSName(name.name + "."), desired.dns.zone(containing: dnsName) != nil
                else { continue }
                findings.append(
                    Finding(
                        kind: .unmanagedVhost, vhost: name.name,
                        message:
                            "nginx serves \(name.name) inside a managed zone, but the desired state does not list it",
                        evidence: ["\(display(name.location.file)):\(name.location.line): server_name \(name.text)"]))
            }
        }
        return findings
    }
}
