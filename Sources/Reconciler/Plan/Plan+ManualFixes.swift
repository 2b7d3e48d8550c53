extension Plan {
    /// The drift findings none of the plan's actions fixes (another block capturing the
    /// traffic, no server block, a probe failure, ...): what is left for the operator after
    /// apply has run, in the plan's order.
    public var manualFixes: [Finding] {
        findings.filter { finding in
            finding.severity.isDrift && !actions.contains { Self.action($0, fixes: finding) }
        }
    }

    /// Whether `action` is one that fixes `finding`: same vhost and family, the port where
    /// both have one, and a kind that answers the finding's kind.
    static func action(_ action: Action, fixes finding: Finding) -> Bool {
        // Any nginx change ends in a reload, which loads the changed files too.
        if finding.kind == .configNotLoaded {
            return action.kind == .nginxAddListen || action.kind == .nginxRemoveListen
        }
        guard action.vhost == finding.vhost, action.family == finding.family else { return false }
        if let port = finding.port, let actionPort = action.port, port != actionPort { return false }
        switch finding.kind {
        case .advertisedNotServed, .missingListen:
            // Served by a new listen, or (a family not desired) withdrawn from DNS.
            return action.kind == .nginxAddListen || (action.kind == .dnsDelete && action.phase == .withdraw)
        case .missingRecord: return action.kind == .dnsAdd
        case .wrongAddress, .undesiredRecord: return action.kind == .dnsDelete
        case .undesiredListen: return action.kind == .nginxRemoveListen
        default: return false
        }
    }
}
