import DesiredState
import Nginx

/// The text form of a plan: grouped by vhost, each finding with its code and evidence, each
/// action as a diff line, like a compiler's or Terraform's output.
public struct PlanText: Sendable {
    public var color: Bool
    /// Paths under this directory are shown relative to it.
    public var displayBase: String

    /// List subjects that only have `info` findings one by one (otherwise they are counted).
    public var verbose: Bool

    /// Whether a large plan's subjects are rendered in two halves at once (tests compare it
    /// with one thread's rendering).
    var halves = true

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
        var text = ""
        render(plan, header: header, suggestApply: suggestApply) { text += $0 }
        return text
    }

    /// ``render(_:header:suggestApply:)`` handed to `write` in pieces of about a megabyte as
    /// it is made, so a large plan's text is never held whole.
    public func render(
        _ plan: Plan, header: [(String, String)] = [], suggestApply: Bool = true, to write: (String) -> Void
    ) {
        // Each line ends in a newline as it is added; the summary, last, has none.
        var out = ""
        func emit(_ line: String) {
            out += line
            out += "\n"
        }
        if !header.isEmpty {
            let width = header.map(\.0.count).max() ?? 0
            for (label, value) in header {
                emit(
                    paint(label.padding(toLength: width, withPad: " ", startingAt: 0), .dim) + "  "
                        + TerminalText.escaped(value))
            }
            emit("")
        }
        let index = SubjectIndex(plan)
        let countInfoOnly = !verbose && index.infoOnly.count > 3
        subjects(index.listed(leavingOutInfoOnly: countInfoOnly), of: plan, index: index, into: &out, write: write)
        if countInfoOnly {
            var slugs: Set<String> = []
            for slot in index.infoOnly {
                for position in index.findings(slot) { slugs.insert(plan.findings[position].slug) }
            }
            emit(
                paint("info", .cyan)
                    + " \(index.infoOnly.count) more names have only informational findings (\(slugs.sorted().joined(separator: ", "))); -v lists them"
            )
            emit("")
        }
        for pending in plan.pendingReloads ?? [] {
            emit(paint("pending reload: ", .red) + TerminalText.escaped(pending))
        }
        if plan.pendingReloads != nil { emit("") }
        for note in plan.notes { emit(paint("note: ", .yellow) + TerminalText.escaped(note)) }
        if !plan.notes.isEmpty { emit("") }
        let notRun = checksNotRunLines(plan)
        for line in notRun { emit(paint("warning: ", .yellow) + line) }
        if !notRun.isEmpty { emit("") }
        out += summary(plan, suggestApply: suggestApply)
        write(out)
    }

    /// The listed subjects' lines, each ending in a newline, added to `out`, which goes to
    /// `write` whenever it holds a megabyte. A large plan's subjects are rendered on both
    /// cores: of each two chunks, this thread renders the first while another renders the
    /// second into a string of its own that follows it.
    func subjects(
        _ listed: [Int], of plan: Plan, index: SubjectIndex, into out: inout String, write: (String) -> Void
    ) {
        func flushIfFull(_ text: inout String) {
            guard text.utf8.count >= 1 << 20 else { return }
            write(text)
            text.removeAll(keepingCapacity: true)
        }
        guard halves && listed.count >= Self.halvingThreshold else {
            return subjects(listed[...], of: plan, index: index, into: &out, after: flushIfFull)
        }
        var text = out
        out = ""
        Concurrently.inPairs(
            count: listed.count, chunk: Self.halvingThreshold / 2,
            first: { range in subjects(listed[range], of: plan, index: index, into: &text, after: flushIfFull) },
            second: { [self] range in
                var other = ""
                subjects(listed[range], of: plan, index: index, into: &other, after: { _ in })
                return other
            },
            then: { other in
                text += other
                flushIfFull(&text)
            })
        out = text
    }

    /// Below this many subjects, a second thread costs more than it saves; half of it is a
    /// chunk.
    static let halvingThreshold = 2000

    /// Each subject's name, its findings with their evidence, and the actions that fix them.
    private func subjects(
        _ slots: ArraySlice<Int>, of plan: Plan, index: SubjectIndex, into out: inout String,
        after: (inout String) -> Void
    ) {
        func emit(_ line: String) {
            out += line
            out += "\n"
        }
        for slot in slots {
            emit(paint(TerminalText.escaped(index.names[slot]), .bold))
            for position in index.findings(slot) {
                let finding = plan.findings[position]
                var title = "  \(severityLabel(finding.severity)) \(finding.code) \(finding.slug)"
                if let family = finding.family { title += "  \(family.rawValue)" }
                if let port = finding.port { title += " port \(port)" }
                emit(title)
                emit("      " + TerminalText.escaped(finding.message))
                for line in finding.evidence { emit("      " + paint(TerminalText.escaped(line), .dim)) }
            }
            if !index.actions(slot).isEmpty {
                emit("    fix:")
                for position in index.actions(slot) { emit("      " + line(for: plan.actions[position])) }
            }
            emit("")
            after(&out)
        }
    }

    /// One action as a diff line with where it applies (its text and file escaped for the
    /// terminal).
    public func line(for action: Action) -> String {
        let text = TerminalText.escaped(action.text ?? "")
        let place = TerminalText.escaped("\(Paths.display(action.file ?? "", from: displayBase)):\(action.line ?? 0)")
        switch action.kind {
        case .nginxAddListen:
            return paint("+ \(text) \(NginxConfigTree.managedMarker)", .green) + "   " + paint(place, .dim)
        case .nginxRemoveListen:
            let wait = action.notBefore.map { "   (not before \($0): the withdrawn record's TTL)" } ?? ""
            return paint("- \(text)", .red) + "   " + paint(place, .dim) + wait
        case .dnsAdd:
            return paint("+ \(TerminalText.escaped(action.recordLine))", .green)
        case .dnsDelete:
            return paint("- \(TerminalText.escaped(action.recordLine))", .red)
        }
    }

    /// The checks a plan could not make, one line per reason: "cannot read nginx's pid file
    /// /run/nginx.pid as user nobody: nginx-not-running and config-not-loaded not checked".
    func checksNotRunLines(_ plan: Plan) -> [String] {
        var reasons: [String] = []
        var checks: [String: [String]] = [:]
        for check in plan.checksNotRun ?? [] {
            if checks[check.reason] == nil { reasons.append(check.reason) }
            checks[check.reason, default: []].append(check.check)
        }
        return reasons.map { "\($0): \((checks[$0] ?? []).joined(separator: " and ")) not checked" }
    }

    /// What apply could not fix, for the operator: `2 findings need a manual fix:` and one
    /// line per finding (`critical RC008 answered-by-other-block  a.example ipv6 port 443: …`).
    public func manualFixes(_ findings: [Finding]) -> [String] {
        guard !findings.isEmpty else { return [] }
        let count = findings.count == 1 ? "1 finding needs" : "\(findings.count) findings need"
        var out = [paint("\(count) a manual fix:", .red)]
        for finding in findings {
            var place = TerminalText.escaped(finding.vhost)
            if let family = finding.family { place += " \(family.rawValue)" }
            if let port = finding.port { place += " port \(port)" }
            out.append(
                "  \(severityLabel(finding.severity)) \(finding.code) \(finding.slug)  \(place): "
                    + TerminalText.escaped(finding.message))
        }
        return out
    }

    public func summary(_ plan: Plan, suggestApply: Bool = true) -> String {
        let nginx = plan.actions.reduce(0) {
            $0 + ($1.kind == .nginxAddListen || $1.kind == .nginxRemoveListen ? 1 : 0)
        }
        let dns = plan.actions.count - nginx
        var bySeverity: [Severity: Int] = [:]
        for finding in plan.findings { bySeverity[finding.severity, default: 0] += 1 }
        var counts: [String] = []
        for severity in Severity.allCases {
            let n = bySeverity[severity] ?? 0
            if n > 0 {
                counts.append(
                    "\(n) \(severity.rawValue)\(n > 1 && severity != .info ? (severity == .critical ? "" : "s") : "")")
            }
        }
        let findings = counts.isEmpty ? "no findings" : counts.joined(separator: ", ")
        let notRun = plan.checksNotRun?.count ?? 0
        let notRunText = "\(notRun) check\(notRun == 1 ? "" : "s") not run"
        if plan.inSync {
            let verdict = notRun > 0 ? "In sync (\(notRunText)):" : "In sync:"
            return paint(verdict, .green) + " \(findings); nothing to change."
        }
        let reloads = plan.pendingReloads?.count ?? 0
        var text =
            "Plan: \(plan.actions.count) change\(plan.actions.count == 1 ? "" : "s") (\(nginx) nginx, \(dns) DNS)"
            + (reloads > 0 ? " and \(reloads) pending reload\(reloads == 1 ? "" : "s")" : "")
            + ". Findings: \(findings)" + (notRun > 0 ? "; \(notRunText)." : ".")
        guard (!plan.actions.isEmpty || reloads > 0) && suggestApply else { return text }
        if plan.findings.contains(where: { $0.kind == .nginxNotRunning }) {
            text +=
                "\nnginx is not running this configuration, so `reconcile apply` would refuse: start nginx, then run `reconcile plan` again."
        } else {
            text += "\nRun `reconcile apply` to make these changes."
        }
        return text
    }
}

/// A plan's findings and actions by subject (vhost or file), each subject looked up once per
/// finding or action and each kept by position (no finding is copied), so rendering stays
/// linear in their number.
struct SubjectIndex {
    /// Subjects in order of first appearance; the other arrays are indexed alike.
    private(set) var names: [String] = []
    private(set) var worst: [Severity] = []
    /// Subjects with nothing but `info` findings and no action.
    private(set) var infoOnly: [Int] = []
    /// The positions of the findings, then of the actions, grouped by subject in slot order
    /// (one list for all, not a small array per subject), and where each subject's begin.
    private let findingPositions: Grouped
    private let actionPositions: Grouped

    init(_ plan: Plan) {
        var slots: [String: Int] = [:]
        var names: [String] = []
        var worst: [Severity] = []
        // Made for a subject per finding (most plans have fewer), not grown and rehashed.
        slots.reserveCapacity(plan.findings.count)
        names.reserveCapacity(plan.findings.count)
        worst.reserveCapacity(plan.findings.count)
        // A plan's findings come by subject: one with the subject of the one before takes its
        // slot, and only the first of each is looked up.
        var last = (subject: "", slot: -1)
        func slot(_ subject: String) -> Int {
            if last.slot >= 0 && subject == last.subject { return last.slot }
            let next = names.count
            let found = Self.existing(&slots[subject], or: next)
            if found == next {
                names.append(subject)
                worst.append(.info)
            }
            last = (subject, found)
            return found
        }
        // Each finding's and action's fields are read where they are, not copied out whole.
        let findings = plan.findings
        var findingSlots: [Int] = []
        findingSlots.reserveCapacity(findings.count)
        for position in findings.indices {
            let at = slot(findings[position].vhost)
            worst[at] = min(worst[at], findings[position].severity)
            findingSlots.append(at)
        }
        let actions = plan.actions
        let actionSlots = actions.indices.map { slot(actions[$0].vhost) }
        let actionPositions = Grouped(actionSlots, slots: names.count)
        self.findingPositions = Grouped(findingSlots, slots: names.count)
        self.actionPositions = actionPositions
        self.infoOnly = names.indices.filter { worst[$0] == .info && actionPositions[$0].isEmpty }
        self.names = names
        self.worst = worst
    }

    /// The positions of the subject's findings, in plan order.
    func findings(_ slot: Int) -> ArraySlice<Int> { findingPositions[slot] }

    /// The positions of the subject's actions, in plan order.
    func actions(_ slot: Int) -> ArraySlice<Int> { actionPositions[slot] }

    /// Positions grouped by slot, each group in position order: a counting sort.
    private struct Grouped {
        private var starts: [Int]
        private var positions: [Int]

        init(_ slotOfPosition: [Int], slots: Int) {
            starts = [Int](repeating: 0, count: slots + 1)
            for slot in slotOfPosition { starts[slot + 1] += 1 }
            for slot in 0..<slots { starts[slot + 1] += starts[slot] }
            var next = starts
            positions = [Int](repeating: 0, count: slotOfPosition.count)
            for (position, slot) in slotOfPosition.enumerated() {
                positions[next[slot]] = position
                next[slot] += 1
            }
        }

        subscript(_ slot: Int) -> ArraySlice<Int> { positions[starts[slot]..<starts[slot + 1]] }
    }

    /// The slot in `entry`, or `next` put there: one hash of the subject either way.
    private static func existing(_ entry: inout Int?, or next: Int) -> Int {
        if let slot = entry { return slot }
        entry = next
        return next
    }

    /// The subjects to list, most severe first and within a severity by name; the info-only
    /// ones left out (and never sorted) when they are only counted.
    func listed(leavingOutInfoOnly: Bool) -> [Int] {
        var listed = Array(names.indices)
        if leavingOutInfoOnly {
            var counted = [Bool](repeating: false, count: names.count)
            for slot in infoOnly { counted[slot] = true }
            listed.removeAll { counted[$0] }
        }
        // A plan's findings come by subject name already, so the subjects usually arrive in
        // name order: then a pass per severity keeps that order, and no two names are compared
        // beyond checking it.
        if zip(listed, listed.dropFirst()).allSatisfy({ names[$0.0] < names[$0.1] }) {
            return Severity.allCases.flatMap { severity in listed.filter { worst[$0] == severity } }
        }
        return listed.sorted { (worst[$0], names[$0]) < (worst[$1], names[$1]) }
    }
}
