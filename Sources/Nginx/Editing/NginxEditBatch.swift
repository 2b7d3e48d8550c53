/// The listens a plan adds and removes, one request at a time, rendered together as final
/// edits: each request's ``NginxListenEdit`` is a byte range of its file as read, with the line
/// it lands on in the file after every addition. An addition is judged against the tree plus
/// the listens accepted before it (one planner for the whole batch, so thousands stay
/// linear); a refused request throws and leaves the batch as it was, so a caller can report it
/// and go on with the others.
public struct NginxEditBatch: Sendable {
    /// What the batch makes of its requests.
    public struct Outcome: Sendable {
        /// Each request's edit, indexed by the handle ``add(_:hostAddresses:)`` or
        /// ``remove(_:fromBlock:)`` returned; a withheld removal has none.
        public let edits: [NginxListenEdit?]
        /// Removals the batch leaves out, by handle, with the reason in words: they cannot be
        /// made together with the other edits of their file (an addition lands inside what one
        /// removes), or they would leave a block with no listen of its own.
        public let withheld: [Int: Withheld]
        /// The edits of each changed file, in the order the files were first named.
        public let files: [(path: String, edits: [NginxListenEdit])]
    }

    /// A removal left out, and why.
    public struct Withheld: Sendable {
        public let edit: NginxListenEdit
        public let reason: String
    }

    private let tree: NginxConfigTree
    private var planner: NginxListenPlanner
    private var blockOrder: [Int] = []
    private var linesByBlock: [Int: [String]] = [:]
    /// Per block, the accepted additions' handles and how many lines each added.
    private var additionsByBlock: [Int: [(handle: Int, lines: Int)]] = [:]
    private var removals: [(handle: Int, block: Int, edit: NginxListenEdit)] = []
    private var nextHandle = 0

    public init(tree: NginxConfigTree) {
        self.tree = tree
        planner = NginxListenPlanner(tree: tree)
    }

    /// Plans one listen to add; returns its handle. Throws when nginx would reject it or it
    /// cannot be written safely (see
    /// ``NginxConfigTree/addListen(toBlock:family:port:hostAddresses:)``).
    public mutating func add(_ request: NginxListenRequest, hostAddresses: [String]) throws(NginxError) -> Int {
        let lines = try planner.plan(request, hostAddresses: hostAddresses)
        if linesByBlock[request.block] == nil { blockOrder.append(request.block) }
        linesByBlock[request.block, default: []] += lines
        additionsByBlock[request.block, default: []].append((nextHandle, lines.count))
        nextHandle += 1
        return nextHandle - 1
    }

    /// Plans one listen to remove; returns its handle. Throws what
    /// ``NginxConfigTree/removeListen(_:fromBlock:)`` refuses.
    public mutating func remove(_ listen: NginxListen, fromBlock block: Int) throws(NginxError) -> Int {
        let edit = try tree.removal(of: listen, fromBlock: block)
        removals.append((nextHandle, block, edit))
        nextHandle += 1
        return nextHandle - 1
    }

    /// The additions as one insertion per block, placed in their files (in the order the
    /// blocks were first named).
    func placedInsertions() -> [NginxConfigTree.PlacedInsertion] {
        tree.placeInsertions(blockOrder: blockOrder, linesByBlock: linesByBlock)
    }

    /// Every request's final edit.
    public func outcome() -> Outcome {
        var edits = [NginxListenEdit?](repeating: nil, count: nextHandle)
        var byFile: [Int: [NginxListenEdit]] = [:]
        var fileOrder: [Int] = []
        func note(_ edit: NginxListenEdit, file: Int) {
            if byFile[file] == nil { fileOrder.append(file) }
            byFile[file, default: []].append(edit)
        }
        for placed in placedInsertions() {
            for (handle, edit) in Self.split(placed, handles: additionsByBlock[placed.block] ?? []) {
                edits[handle] = edit
                note(edit, file: placed.fileIndex)
            }
        }
        let withheld = withheldRemovals(additions: byFile)
        for removal in removals where withheld[removal.handle] == nil {
            edits[removal.handle] = removal.edit
            note(removal.edit, file: tree.serverBlocks[removal.block].source.fileIndex)
        }
        return Outcome(
            edits: edits, withheld: withheld, files: fileOrder.map { (tree.files[$0].path, byFile[$0] ?? []) })
    }

    /// The removals that cannot be made: all of a file's when one of them overlaps another edit
    /// of it (the operator applies, then plans again for the rest), and those that would take a
    /// block's last listens while nothing is added to it (nginx would fall back to `*:80`).
    private func withheldRemovals(additions: [Int: [NginxListenEdit]]) -> [Int: Withheld] {
        var withheld: [Int: Withheld] = [:]
        guard !removals.isEmpty else { return withheld }
        let byFile = Dictionary(grouping: removals) { tree.serverBlocks[$0.block].source.fileIndex }
        for (file, fileRemovals) in byFile {
            guard Self.anyOverlap(fileRemovals.map(\.edit) + (additions[file] ?? [])) else { continue }
            for removal in fileRemovals {
                withheld[removal.handle] = Withheld(
                    edit: removal.edit,
                    reason: "additions and removals overlap; apply, then run plan again for the rest")
            }
        }
        let byBlock = Dictionary(grouping: removals, by: \.block)
        for (block, blockRemovals) in byBlock where additionsByBlock[block] == nil {
            let removed = Set(blockRemovals.map(\.edit.offset))
            guard removed.count >= tree.serverBlocks[block].listens.count else { continue }
            for removal in blockRemovals where withheld[removal.handle] == nil {
                withheld[removal.handle] = Withheld(
                    edit: removal.edit,
                    reason:
                        "removing every listen of its block at line \(tree.serverBlocks[block].location.line) would leave nginx's implicit *:80; the block needs a listen it keeps"
                )
            }
        }
        return withheld
    }

    /// Whether two of one file's edits overlap (see ``NginxListenEdit/overlaps(_:)``), in one
    /// sweep by position: an edit overlaps an earlier one when it starts before the furthest
    /// end so far.
    static func anyOverlap(_ edits: [NginxListenEdit]) -> Bool {
        var furthest = Int.min
        for edit in edits.sorted(by: { ($0.offset, $0.removing) < ($1.offset, $1.removing) }) {
            if edit.offset < furthest { return true }
            furthest = max(furthest, edit.end)
        }
        return false
    }

    /// One block's insertion as its requests' edits: each takes its own lines (the first also
    /// what goes before them, the last what follows), placed where the last of them lands.
    private static func split(_ placed: NginxConfigTree.PlacedInsertion, handles: [(handle: Int, lines: Int)])
        -> [(Int, NginxListenEdit)]
    {
        var out: [(Int, NginxListenEdit)] = []
        var firstLine = 0
        for (index, entry) in handles.enumerated() {
            let lastLine = firstLine + entry.lines - 1
            let start = index == 0 ? 0 : placed.lines[firstLine].byteOffset
            let end = index == handles.count - 1 ? placed.bytes.count : placed.lines[lastLine + 1].byteOffset
            let last = placed.lines[lastLine]
            out.append(
                (
                    entry.handle,
                    NginxListenEdit(
                        path: placed.path, offset: placed.position, removing: 0,
                        inserting: Array(placed.bytes[start..<end]), line: last.line,
                        directive: NginxConfigTree.withoutMarker(last.text))
                ))
            firstLine = lastLine + 1
        }
        return out
    }
}
