import DNS
import DesiredState
import Digests
import Foundation
import Nginx

/// Compares the desired state with what was observed and produces the plan: findings, and
/// the ordered actions that fix what can be fixed safely. Pure: no I/O.
public struct Planner: Sendable {
    public let desired: DesiredState
    public let observation: Observation
    public let fingerprint: DesiredFingerprint
    /// Paths under this directory are shown relative to it.
    public let displayBase: String
    public let now: Date
    /// Set for one host of a fleet (DESIGN §15): only what it may withdraw is withdrawn.
    public var fleet: FleetView?
    /// Vhosts read at a time by one core (see ``planVhosts(context:into:)``); tests vary it.
    var readingChunk = 512

    public init(
        desired: DesiredState, observation: Observation, fingerprint: DesiredFingerprint, displayBase: String,
        now: Date = Date()
    ) {
        self.desired = desired
        self.observation = observation
        self.fingerprint = fingerprint
        self.displayBase = displayBase
        self.now = now
    }

    /// One vhost/family/port as nginx treats it.
    enum ServingStatus: Equatable {
        case served
        /// No own block answers; `answeredBy` is the block that does, if any.
        case notServed(answeredBy: Int?)
        /// The own block listens, but nginx hands the name, reaching `address`, to another block.
        case answeredByOther(Int, address: String)
        case undecidable(String)
    }

    public func plan() -> Plan {
        // What the tree alone gives was made as it was read (or is made now).
        let indexes = observation.nginxIndexes ?? TreeIndexes(tree: observation.nginx)
        let context = PlanContext(
            desired: desired, tree: observation.nginx, indexes: indexes, displayBase: displayBase)
        var draft = PlanDraft(batch: indexes.batch)
        // Room for what a large plan holds, made once: grown by doubling, each list would leave
        // the buffers it outgrew resident until the end (tens of MiB at 100,000 vhosts). Pages
        // never written are never resident, so room a small plan does not use costs nothing.
        draft.findings.reserveCapacity(desired.vhosts.count + observation.nginx.serverBlocks.count)
        draft.recordSets.reserveCapacity(2 * desired.vhosts.count)
        draft.handles.reserveCapacity(desired.vhosts.count)
        draft.findings += runtimeFindings(listenConflicts: indexes.listenConflicts) + interfaceFindings()
        let late = planVhosts(context: context, into: &draft)
        draft.findings += late
        // The findings and record sets are complete: their order (string comparisons) and the
        // files' digests are made on the second core, which then shares the batch's changed
        // files (each placed on its own, a piece of files at a time) with this one.
        let files = draft.batch.changedFileCount
        let chunk = Self.outcomeChunk
        let pieces = (files + chunk - 1) / chunk
        var parts: [NginxEditBatch.Outcome.Part] = []
        parts.reserveCapacity(pieces)
        let orders = Concurrently.fromBothEnds(
            count: pieces,
            after: { [findings = draft.findings, sets = draft.recordSets, tree = observation.nginx] in
                Orders(
                    findings: Finding.planOrder(findings),
                    recordSets: sets.indices.sorted {
                        (sets[$0].name, sets[$0].type, $0) < (sets[$1].name, sets[$1].type, $1)
                    },
                    files: tree.files.map { .init(path: $0.path, sha256: HexDigest.sha256($0.bytes)) }.sorted {
                        $0.path < $1.path
                    })
            },
            piece: { [batch = draft.batch] index in
                batch.outcome(files: index * chunk..<min(files, (index + 1) * chunk))
            },
            consume: { parts.append($0) })
        draft.actions.reserveCapacity(draft.actions.count + draft.listenRequests.count)
        listenActions(draft.batch.outcome(parts), into: &draft)
        markWaitingRemovals(&draft.actions)
        return finished(consume draft, orders)
    }

    /// Changed files placed at a time by one core (see ``plan()``).
    static let outcomeChunk = 16

    /// Every vhost: read in chunks on both cores (the other core first runs the
    /// observation-only steps, whose findings this returns), each vhost's steps run in order
    /// on this core as its chunk is read. What was read is let go chunk by chunk.
    func planVhosts(context: PlanContext, into draft: inout PlanDraft) -> [Finding] {
        let vhosts = desired.vhosts
        let chunk = max(1, readingChunk)
        return Concurrently.fromBothEnds(
            count: (vhosts.count + chunk - 1) / chunk,
            after: { [self] in
                // Every authoritative server of each zone (DESIGN §14).
                unmanagedNameFindings(context) + nameserverFindings(context) + probeFindings()
            },
            piece: { [self] index in
                read(vhosts[index * chunk..<min(vhosts.count, (index + 1) * chunk)], context: context)
            },
            consume: { readings in
                var start = PlanDraft.Found.Ends(findings: 0, notes: 0, recordSets: 0)
                for index in readings.views.indices {
                    draft.add(readings.found, from: start, to: readings.ends[index])
                    start = readings.ends[index]
                    planVhost(readings.views[index], readings.families[index], context: context, into: &draft)
                }
            })
    }

    /// What ``finished(_:_:)`` puts the draft in order by, made beside the listen actions.
    struct Orders: Sendable {
        /// Findings in plan order, by position (see ``Finding/planOrder(_:)``).
        let findings: [Int]
        /// Record sets by name and type, by position.
        let recordSets: [Int]
        /// The tree's files with their digests, by path.
        let files: [Preconditions.FileDigest]
    }

    /// The plan from what the steps found: actions in apply's order, findings by vhost and
    /// severity, and the preconditions a saved plan is checked against.
    func finished(_ draft: consuming PlanDraft, _ orders: Orders) -> Plan {
        let tree = observation.nginx
        // Each array is taken out of the draft, so it is the only reference to its elements
        // and is reordered in place.
        var actions: [Action] = []
        var findings: [Finding] = []
        var sets: [Preconditions.RecordSetState] = []
        swap(&actions, &draft.actions)
        swap(&findings, &draft.findings)
        swap(&sets, &draft.recordSets)
        // Each action's key is made once, as one Int (phase, kind, position) that sorts as
        // that tuple would.
        let keys = actions.indices.map { index in
            (actions[index].phase.rawValue << 2 | Self.applyOrder(actions[index].kind)) << 40 | index
        }
        actions = (consume actions).reordered(by: keys.sorted().map { $0 & (1 << 40 - 1) })
        findings = (consume findings).reordered(by: orders.findings)
        let preconditions = Preconditions(
            nginxFiles: orders.files, recordSets: (consume sets).reordered(by: orders.recordSets))
        var plan = Plan(
            createdAt: ISO8601DateFormatter().string(from: now), desired: fingerprint, findings: findings,
            actions: actions,
            notes: draft.notes, preconditions: preconditions, dnsSource: observation.dnsSource,
            nginxConfig: tree.mainConfigPath, pendingReloads: observation.pendingReloads)
        plan.checksNotRun = observation.checksNotRun.isEmpty ? nil : observation.checksNotRun
        // What is left of the draft (the batch above all, with its tables per block) is freed
        // on another thread: nothing needs to wait for it.
        Concurrently.release(draft)
        return plan
    }

    /// Within a phase: listens added, then records deleted, then added, then listens removed.
    static func applyOrder(_ kind: Action.Kind) -> Int {
        switch kind {
        case .nginxAddListen: 0
        case .dnsDelete: 1
        case .dnsAdd: 2
        case .nginxRemoveListen: 3
        }
    }

    // MARK: nginx

    /// The Host a request for the vhost carries: the name itself, or for a wildcard vhost a
    /// name it covers.
    static func probeHost(_ vhost: Vhost) -> String {
        vhost.isWildcard ? "reconcile-check" + vhost.name.dropFirst(1) : vhost.name
    }

    /// The claimant groups as one list, best first, each block once.
    static func flatten(_ groups: [[Int]]) -> [Int] {
        // Most vhosts are claimed by one block: no set to make.
        if groups.count == 1 && groups[0].count == 1 { return groups[0] }
        var seen: Set<Int> = []
        return groups.joined().filter { seen.insert($0).inserted }
    }

    /// `1 server block`, `2 server blocks`.
    static func count(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }

    /// Every name the block serves as written (wildcards and regexes too): a block that also
    /// serves names beyond the vhost keeps its listens.
    func blockNames(_ block: NginxServerBlock) -> [String] {
        block.serverNames.map { $0.kind == .exact || $0.kind == .leadingWildcard ? $0.name : $0.text }.filter {
            !$0.isEmpty
        }
    }

    func servingStatus(
        selector: NginxServerSelector, own: [Int], family: AddressFamily, port: UInt16, host: String,
        addresses: [String], sockets: [NginxServerSelector.Socket?], tree: NginxConfigTree
    ) -> ServingStatus {
        guard !addresses.isEmpty else { return .notServed(answeredBy: nil) }
        for (address, socket) in zip(addresses, sockets) {
            let selection =
                socket.map { selector.select(on: $0, host: host) }
                ?? selector.select(family: family, address: address, port: Int(port), host: host)
            switch selection {
            case .answered(let block, _):
                // One of the vhost's own blocks (a regex one too, which `own` lists only when
                // nothing better names the vhost).
                if own.contains(block) || tree.serverBlocks[block].matches(host: host) { continue }
                let ownListens = own.contains { index in
                    tree.serverBlocks[index].effectiveListens.contains { listen in
                        listen.port == Int(port)
                            && (listen.family == family || (family == .ipv4 && listen.acceptsIPv4OnIPv6Socket))
                    }
                }
                return ownListens ? .answeredByOther(block, address: address) : .notServed(answeredBy: block)
            case .nothingListens:
                return .notServed(answeredBy: nil)
            case .badRequest(let reason), .undecidable(let reason):
                return .undecidable(reason)
            }
        }
        return .served
    }

    /// The own block to add a listen to: the one serving the port on the other family, else
    /// any own block on the port, else the first.
    func editTarget(_ own: [Int], family: AddressFamily, port: UInt16) -> Int? {
        let tree = observation.nginx
        return own.first { index in
            tree.serverBlocks[index].effectiveListens.contains { $0.family == family.other && $0.port == Int(port) }
        } ?? own.first { index in tree.serverBlocks[index].effectiveListens.contains { $0.port == Int(port) } }
            ?? own.first
    }

    func listenEvidence(_ own: [Int], family: AddressFamily, port: UInt16, context: PlanContext) -> [String] {
        var out: [String] = []
        for index in own {
            let block = context.tree.serverBlocks[index]
            if block.listens.isEmpty {
                out.append("\(context.place(block.source)): server { (no listen: nginx listens on *:80)")
            }
            for listen in block.listens where listen.port == Int(port) {
                if let source = listen.source { out.append(context.evidence(source)) }
            }
        }
        if out.isEmpty, let index = own.first {
            out.append(blockEvidence(index, context: context) + " (no listen on port \(port))")
        }
        return out
    }

    /// One `listen-conflict` per pair of listens nginx cannot bind together, both as evidence.
    func listenConflictFindings(_ tree: NginxConfigTree, conflicts: [NginxError]) -> [Finding] {
        guard !conflicts.isEmpty else { return [] }
        var listenText: [NginxSourceLocation: String] = [:]
        for block in tree.serverBlocks {
            for listen in block.listens {
                if let source = listen.source { listenText[source.location] = source.text }
            }
        }
        func evidence(_ location: NginxSourceLocation) -> String {
            "\(display(location.file)):\(location.line): \(listenText[location] ?? "listen")"
        }
        return conflicts.compactMap { conflict in
            guard case .listenConflict(let message, let at, let earlier) = conflict else { return nil }
            return Finding(
                kind: .listenConflict, vhost: display(tree.mainConfigPath),
                message: "nginx cannot start with these listens: \(message)",
                evidence: [evidence(earlier), evidence(at)])
        }
    }

    /// The other block's listen that a connection to `address`:`port` reaches: the one on that
    /// very address, else its wildcard of the family (a dual-stack one for IPv4 too).
    func capturingListen(_ index: Int, family: AddressFamily, address: String, port: UInt16)
        -> NginxListen?
    {
        let listens = observation.nginx.serverBlocks[index].effectiveListens.filter { $0.port == Int(port) }
        let local = NginxListenAddress.literal(address)
        return listens.first { $0.address == local }
            ?? listens.first { $0.family == family && $0.address.isWildcard }
            ?? listens.first { family == .ipv4 && $0.acceptsIPv4OnIPv6Socket }
    }

    /// The block for JSON's `answered_by`: absolute file, line, names as written.
    func blockReference(_ index: Int, tree: NginxConfigTree) -> Finding.BlockReference {
        let block = tree.serverBlocks[index]
        return Finding.BlockReference(
            file: block.file, line: block.location.line, serverNames: block.serverNames.map(\.text))
    }

    func blockEvidence(_ index: Int, context: PlanContext) -> String {
        let block = context.tree.serverBlocks[index]
        let names = block.serverNames.map(\.text).joined(separator: " ")
        return "\(context.place(block.source)): server { server_name \(names.isEmpty ? "\"\"" : names); }"
    }

    func display(_ path: String) -> String { Paths.display(path, from: displayBase) }
}
