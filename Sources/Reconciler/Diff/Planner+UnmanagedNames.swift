import DNS

extension Planner {
    /// Names nginx serves inside managed zones that the desired state does not list.
    func unmanagedNameFindings(_ context: PlanContext) -> [Finding] {
        var findings: [Finding] = []
        var reported: Set<String> = []
        for block in context.tree.serverBlocks {
            for name in block.serverNames where name.kind == .exact && !name.name.isEmpty {
                // Each name is judged once: a name that fails the checks fails them every time.
                guard !context.vhostNames.contains(name.name), reported.insert(name.name).inserted,
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
