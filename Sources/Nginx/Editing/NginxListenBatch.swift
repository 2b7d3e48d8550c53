/// Listens added one request at a time, each judged against the tree plus the listens
/// accepted before it (one planner for the whole batch, so thousands of additions stay
/// linear), then rendered as one edit per file. A refused request throws and leaves the
/// batch as it was, so a caller can report it and go on with the others.
public struct NginxListenBatch {
    /// Where an accepted request's listen lands.
    public struct Placement: Sendable, Hashable {
        public let path: String
        /// 1-based line of the new listen in the edited file.
        public let line: Int
        /// The directive without the marker comment: `listen [::]:443 ssl;`.
        public let directive: String
    }

    private let tree: NginxConfigTree
    private var planner: NginxListenPlanner
    private var blockOrder: [Int] = []
    private var linesByBlock: [Int: [String]] = [:]
    /// Per block, the accepted requests' handles and how many lines each added.
    private var handlesByBlock: [Int: [(handle: Int, lines: Int)]] = [:]
    private var nextHandle = 0

    public init(tree: NginxConfigTree) {
        self.tree = tree
        planner = NginxListenPlanner(tree: tree)
    }

    /// Plans one listen; returns a handle for ``placements()``. Throws when nginx would
    /// reject it or it cannot be written safely (see
    /// ``NginxConfigTree/addListen(toBlock:family:port:hostAddresses:)``).
    public mutating func add(_ request: NginxListenRequest, hostAddresses: [String]) throws(NginxError) -> Int {
        let lines = try planner.plan(request, hostAddresses: hostAddresses)
        if linesByBlock[request.block] == nil { blockOrder.append(request.block) }
        linesByBlock[request.block, default: []] += lines
        let handle = nextHandle
        nextHandle += 1
        handlesByBlock[request.block, default: []].append((handle, lines.count))
        return handle
    }

    /// One edit per changed file, in the order the files were first named.
    public func edits() -> [FileEdit] {
        tree.renderInsertions(blockOrder: blockOrder, linesByBlock: linesByBlock)
    }

    /// The edits and, per handle, where its listen (the last line it added) lands.
    public func editsAndPlacements() -> (edits: [FileEdit], placements: [Int: Placement]) {
        // Lines come out per block in request order; walk each block's handles.
        var queues = handlesByBlock
        var consumed: [Int: Int] = [:]
        var placements: [Int: Placement] = [:]
        let marker = " " + NginxConfigTree.managedMarker
        let edits = tree.renderInsertions(blockOrder: blockOrder, linesByBlock: linesByBlock) { line, path, block in
            guard let next = queues[block]?.first else { return }
            consumed[block, default: 0] += 1
            if consumed[block] == next.lines {
                let text = line.text.hasSuffix(marker) ? String(line.text.dropLast(marker.count)) : line.text
                placements[next.handle] = Placement(path: path, line: line.line, directive: text)
                queues[block]?.removeFirst()
                consumed[block] = 0
            }
        }
        return (edits, placements)
    }
}
