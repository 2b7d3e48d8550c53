import DesiredState

/// The text form of a plan: grouped by vhost, each finding with its code and evidence, each
/// action as a diff line, like a compiler's or Terraform's output.
public struct PlanText: Sendable {
    public var color: Bool
    /// Paths under this directory are shown relative to it.
    public var displayBase: String

    /// List subjects that only have `info` findings one by one (otherwise they are counted).
    public var verbose: Bool

    public init(color: Bool, displayBase: String, verbose: Bool = false) {
        self.color = color
        self.displayBase = displayBase
        self.verbose = verbose
    }

    enum Style: String {
        case red = "31"
        case green = "32"
        case yellow = "33"
        case bold = "1"
        case dim = "2"
        case cyan = "36"
    }

    func paint(_ text: String, _ style: Style) -> String {
        color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    func severityLabel(_ severity: Severity) -> String {
        switch severity {
        case .critical: paint("critical", .red)
        case .error: paint("error", .red)
        case .warning: paint("warning", .yellow)
        case .info: paint("info", .cyan)
        }
    }

    public func render(_ plan: Plan, header: [(String, String)] = [], suggestApply: Bool = true) -> String {
        var out: [String] = []
        if !header.isEmpty {
            let width = header.map(\.0.count).max() ?? 0
            for (label, value) in header {
                out.append(paint(label.padding(toLength: width, withPad: " ", startingAt: 0), .dim) + "  " + value)
            }
            out.append("")
        }
        // Most severe subject first; within a severity, by name. Findings and actions are
        // indexed by subject once, so rendering stays linear in their number.
        var worst: [String: Severity] = [:]
        var findingsBySubject: [String: [Finding]] = [:]
        var actionsBySubject: [String: [Action]] = [:]
        for finding in plan.findings {
            worst[finding.vhost] = min(worst[finding.vhost] ?? .info, finding.severity)
            findingsBySubject[finding.vhost, default: []].append(finding)
        }
        for action in plan.actions {
            if worst[action.vhost] == nil { worst[action.vhost] = .info }
            actionsBySubject[action.vhost, default: []].append(action)
        }
        var subjects = worst.map { ($0.value, $0.key) }.sorted { $0 < $1 }.map(\.1)
        let infoOnly = Set(subjects.filter { worst[$0] == .info && actionsBySubject[$0] == nil })
        if !verbose && infoOnly.count > 3 {
            subjects.removeAll { infoOnly.contains($0) }
        }
        for subject in subjects {
            out.append(paint(subject, .bold))
            for finding in findingsBySubject[subject] ?? [] {
                var title = "  \(severityLabel(finding.severity)) \(finding.code) \(finding.slug)"
                if let family = finding.family { title += "  \(family.rawValue)" }
                if let port = finding.port { title += " port \(port)" }
                out.append(title)
                out.append("      " + finding.message)
                for line in finding.evidence { out.append("      " + paint(line, .dim)) }
            }
            let actions = actionsBySubject[subject] ?? []
            if !actions.isEmpty {
                out.append("    fix:")
                for action in actions { out.append("      " + line(for: action)) }
            }
            out.append("")
        }
        if !verbose && infoOnly.count > 3 {
            let slugs = Set(infoOnly.flatMap { findingsBySubject[$0] ?? [] }.map(\.slug)).sorted()
            out.append(
                paint("info", .cyan)
                    + " \(infoOnly.count) more names have only informational findings (\(slugs.joined(separator: ", "))); -v lists them"
            )
            out.append("")
        }
        for pending in plan.pendingReloads ?? [] {
            out.append(paint("pending reload: ", .red) + pending)
        }
        if plan.pendingReloads != nil { out.append("") }
        for note in plan.notes { out.append(paint("note: ", .yellow) + note) }
        if !plan.notes.isEmpty { out.append("") }
        out.append(summary(plan, suggestApply: suggestApply))
        return out.joined(separator: "\n")
    }

    /// One action as a diff line with where it applies.
    public func line(for action: Action) -> String {
        switch action.kind {
        case .nginxAddListen:
            return paint("+ \(action.text ?? "") # managed by reconcile", .green) + "   "
                + paint("\(Paths.display(action.file ?? "", from: displayBase)):\(action.line ?? 0)", .dim)
        case .nginxRemoveListen:
            return paint("- \(action.text ?? "")", .red) + "   "
                + paint("\(Paths.display(action.file ?? "", from: displayBase)):\(action.line ?? 0)", .dim)
        case .dnsAdd:
            return paint("+ \(action.recordLine)", .green)
        case .dnsDelete:
            return paint("- \(action.recordLine)", .red)
        }
    }

    public func summary(_ plan: Plan, suggestApply: Bool = true) -> String {
        let nginx = plan.actions.filter { $0.kind == .nginxAddListen || $0.kind == .nginxRemoveListen }.count
        let dns = plan.actions.count - nginx
        var counts: [String] = []
        for severity in Severity.allCases {
            let n = plan.findings.filter { $0.severity == severity }.count
            if n > 0 {
                counts.append(
                    "\(n) \(severity.rawValue)\(n > 1 && severity != .info ? (severity == .critical ? "" : "s") : "")")
            }
        }
        let findings = counts.isEmpty ? "no findings" : counts.joined(separator: ", ")
        if plan.inSync {
            return paint("In sync.", .green) + " \(findings); nothing to change."
        }
        let reloads = plan.pendingReloads?.count ?? 0
        var text =
            "Plan: \(plan.actions.count) change\(plan.actions.count == 1 ? "" : "s") (\(nginx) nginx, \(dns) DNS)"
            + (reloads > 0 ? " and \(reloads) pending reload\(reloads == 1 ? "" : "s")" : "")
            + ". Findings: \(findings)."
        if (!plan.actions.isEmpty || reloads > 0) && suggestApply { text += "\nRun `reconcile apply` to make these changes." }
        return text
    }
}
