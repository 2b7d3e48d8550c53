extension Finding {
    /// Findings as a plan lists them: by subject, severity, family and port; ties keep their
    /// order. Sorted through their keys and positions, then moved into place once: a finding
    /// is a large value, and moving 100,000 of them while sorting was a tenth of the plan.
    static func inPlanOrder(_ findings: consuming [Finding]) -> [Finding] {
        let order = planOrder(findings)
        return findings.reordered(by: order)
    }

    /// The positions of `findings` in plan order (see ``inPlanOrder(_:)``).
    static func planOrder(_ findings: [Finding]) -> [Int] {
        // Severity, family and port packed into one Int that orders as the tuple did
        // (no family before IPv4 before IPv6), so a comparison is one string and two Ints.
        let keys = findings.map { finding in
            let family = finding.family.map { $0 == .ipv4 ? 1 : 2 } ?? 0
            return (finding.vhost, finding.severity.rank << 20 | family << 16 | Int(finding.port ?? 0))
        }
        return keys.indices.sorted { a, b in
            let (x, y) = (keys[a], keys[b])
            return (x.0, x.1, a) < (y.0, y.1, b)
        }
    }
}
