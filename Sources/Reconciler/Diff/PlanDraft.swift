import DNS
import DesiredState
import Nginx

/// What the planner's steps add to as they go: findings, actions and notes, and the listens
/// to add and remove, which become actions once the batch has placed them all.
struct PlanDraft: Sendable {
    /// A listen the batch holds, and what its action says once the edit is known.
    struct ListenRequest {
        let handle: Int
        let kind: Action.Kind
        let vhost: String
        let family: AddressFamily
        let port: UInt16
    }

    var findings: [Finding] = []
    var actions: [Action] = []
    var notes: [String] = []
    /// Every managed name's A and AAAA sets as read: a saved plan's preconditions.
    var recordSets: [Preconditions.RecordSetState] = []
    /// All listen additions and removals go through one batch, so each addition is judged
    /// against the ones before it, the plan stays linear in the number of blocks, and every
    /// edit comes out as a range of its file as read.
    var batch: NginxEditBatch
    /// The batch's requests in the order made.
    var listenRequests: [ListenRequest] = []
    /// The handle of each request made, so a listen shared by several vhosts is requested once.
    var handles: [ListenKey: Int] = [:]

    /// A listen request as the draft remembers it: numbers, not a sentence, so looking one up
    /// hashes a few Ints.
    enum ListenKey: Hashable {
        case add(block: Int, family: AddressFamily, port: UInt16)
        case remove(block: Int, range: Range<Int>)
    }

    init(batch: NginxEditBatch) { self.batch = batch }

    /// Findings, notes and record sets as reading the vhosts makes them (see
    /// ``VhostReadings``), before they join the draft.
    struct Found: Sendable {
        var findings: [Finding] = []
        var notes: [String] = []
        var recordSets: [Preconditions.RecordSetState] = []

        /// How far each array has come: where one vhost's part ends.
        struct Ends: Sendable {
            let findings: Int
            let notes: Int
            let recordSets: Int
        }

        var ends: Ends { Ends(findings: findings.count, notes: notes.count, recordSets: recordSets.count) }
    }

    /// Adds what reading found between `start` and `end`, in order.
    mutating func add(_ found: Found, from start: Found.Ends, to end: Found.Ends) {
        findings += found.findings[start.findings..<end.findings]
        notes += found.notes[start.notes..<end.notes]
        recordSets += found.recordSets[start.recordSets..<end.recordSets]
    }
}

/// What every vhost's step reads, computed once per run.
struct PlanContext: Sendable {
    let tree: NginxConfigTree
    let selector: NginxServerSelector
    let claims: NginxNameClaims
    /// Every vhost of the desired state by name: its position in ``vhosts``, or -1 for a
    /// vhost of a fleet's other host (the desired state's too, not unmanaged).
    let vhostIndex: [String: Int]
    let vhosts: [Vhost]
    // Text forms computed once per run, not once per vhost and family.
    let hostIPv4: [String]
    let hostIPv6: [String]
    let localIPv4: [NginxListenAddress?]
    let localIPv6: [NginxListenAddress?]
    /// Per family and per port a vhost names, where connections to each host address go (nil
    /// for an address that is not a literal): found once, not once per vhost.
    let sockets: FamilyPair<[UInt16: [NginxServerSelector.Socket?]]>
    /// Each file of the tree as findings show it, by file index: evidence names a file per
    /// line, and shortening the path each time was a string built per listen.
    let displayedFiles: [String]

    /// The tree's `indexes` with what the desired state names and where this host listens.
    init(desired: DesiredState, tree: NginxConfigTree, indexes: TreeIndexes, displayBase: String) {
        self.tree = tree
        displayedFiles = tree.files.map { Paths.display($0.path, from: displayBase) }
        selector = indexes.selector
        claims = indexes.claims
        vhosts = desired.vhosts
        var index: [String: Int] = [:]
        if let others = desired.fleet?.allVhosts {
            index.reserveCapacity(others.count)
            for vhost in others { index[vhost.name] = -1 }
        } else {
            index.reserveCapacity(vhosts.count)
        }
        // Names are unique in the desired state: the first of each wins, as a safeguard.
        for (position, vhost) in vhosts.enumerated() where (index[vhost.name] ?? -1) == -1 {
            index[vhost.name] = position
        }
        vhostIndex = index
        hostIPv4 = desired.host.addresses(.ipv4)
        hostIPv6 = desired.host.addresses(.ipv6)
        localIPv4 = hostIPv4.map { NginxListenAddress.literal($0) }
        localIPv6 = hostIPv6.map { NginxListenAddress.literal($0) }
        var ports: Set<UInt16> = []
        for vhost in desired.vhosts { ports.formUnion(vhost.ports) }
        let (selector, localIPv4, localIPv6) = (selector, localIPv4, localIPv6)
        func table(_ family: AddressFamily, _ locals: [NginxListenAddress?]) -> [UInt16: [NginxServerSelector.Socket?]]
        {
            Dictionary(
                uniqueKeysWithValues: ports.map { ($0, Self.sockets(of: locals, family, port: $0, selector)) })
        }
        sockets = FamilyPair(ipv4: table(.ipv4, localIPv4), ipv6: table(.ipv6, localIPv6))
    }

    func hostAddresses(_ family: AddressFamily) -> [String] { family == .ipv4 ? hostIPv4 : hostIPv6 }

    /// Whether `name` is a vhost of the desired state (of any host of a fleet).
    func isVhost(_ name: String) -> Bool { vhostIndex[name] != nil }

    /// Whether `name` is one of this host's vhosts and wants `family`.
    func vhost(_ name: String, wants family: AddressFamily) -> Bool {
        guard let position = vhostIndex[name], position >= 0 else { return false }
        return vhosts[position].families.contains(family)
    }
    func locals(_ family: AddressFamily) -> [NginxListenAddress?] { family == .ipv4 ? localIPv4 : localIPv6 }

    /// Where connections to each host address of `family` on `port` go.
    func sockets(_ family: AddressFamily, port: UInt16) -> [NginxServerSelector.Socket?] {
        sockets[family][port] ?? Self.sockets(of: locals(family), family, port: port, selector)
    }

    /// The socket of each local address (nil for an address that is not a literal).
    private static func sockets(
        of locals: [NginxListenAddress?], _ family: AddressFamily, port: UInt16, _ selector: NginxServerSelector
    ) -> [NginxServerSelector.Socket?] {
        locals.map { $0.map { selector.socket(family: family, local: $0, port: Int(port)) } }
    }
    /// Where a directive is, as evidence starts: `sites/a.conf:12`.
    func place(_ source: NginxDirectiveSource) -> String {
        "\(displayedFiles[source.fileIndex]):\(source.location.line)"
    }

    /// A directive as evidence shows it: `sites/a.conf:12: listen 443 ssl;`, made in one go.
    func evidence(_ source: NginxDirectiveSource) -> String {
        "\(displayedFiles[source.fileIndex]):\(source.location.line): \(source.text)"
    }
}
