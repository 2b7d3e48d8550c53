/// How `apply` reports what it did and left, after the plan and the step lines.
extension PlanText {
    /// The closing lines of an apply in text form: what was applied, what waits for a later
    /// apply, the DNS changes left to the operator, and the findings that need a manual fix.
    public func applyReport(_ report: ApplyRun.Report) -> [String] {
        let plan = report.result.plan
        var lines: [String] = []
        if report.nothingToDo {
            lines.append(plan.manualFixes.isEmpty ? "Nothing to do." : "Nothing reconcile can change.")
        } else {
            if report.applied > 0 {
                lines.append("Applied \(report.applied) change\(report.applied == 1 ? "" : "s").")
            } else if report.finishedInterruptedApply {
                lines.append("Finished the interrupted apply.")
            }
            let deferred = report.deferred.count
            if deferred > 0 {
                lines.append(
                    "Left for a later apply: \(deferred) listen removal\(deferred == 1 ? "" : "s"), until resolvers can no longer hold the withdrawn records (see above)."
                )
            }
            if let reason = report.readOnlyReason {
                lines += manualDNSChanges(
                    report.manualDNS, skippedNginxRemovals: report.skippedNginxRemovals, reason: reason)
            }
        }
        return lines + manualFixes(plan.manualFixes)
    }

    /// What apply left to the operator when DNS is read-only: the exact records, and the
    /// nginx removals that wait for the withdrawals.
    func manualDNSChanges(_ manual: [Action], skippedNginxRemovals removals: Int, reason: String) -> [String] {
        let plain = PlanText(color: false, displayBase: "")
        var lines = [
            "Not applied: \(manual.count) DNS change\(manual.count == 1 ? "" : "s"), since \(reason). Make \(manual.count == 1 ? "it" : "them") by hand in the zone:"
        ]
        lines += manual.map { "  " + plain.line(for: $0) }
        if removals > 0 {
            lines.append(
                "Not applied: \(removals) nginx removal\(removals == 1 ? ", which waits" : "s, which wait") until the records above are withdrawn; run `reconcile apply` again then."
            )
        }
        return lines
    }
}
