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

        /// What some of the changed files make (see ``NginxEditBatch/outcome(files:)``).
        public struct Part: Sendable {
            var edits: [(handle: Int, edit: NginxListenEdit)] = []
            var withheld: [(handle: Int, withheld: Withheld)] = []
            var files: [(path: String, edits: [NginxListenEdit])] = []
        }
    }

    /// A removal left out, and why.
    public struct Withheld: Sendable {
        public let edit: NginxListenEdit
        public let reason: String
    }

    /// A file the batch changes: its blocks that get additions, in the order first named,
    /// and its removals (positions in ``removals``).
    private struct ChangedFile: Sendable {
        let file: Int
        var blocks: [Int] = []
        var removals: [Int] = []
    }

    private let tree: NginxConfigTree
    private var planner: NginxListenPlanner
    /// The changed files in the order first named, and each one's position there by file index.
    private var changed: [ChangedFile] = []
    private var changedPosition: [Int: Int] = [:]
    /// Per block (by index), the lines planned for it.
    private var linesByBlock: [[String]]
    /// Per block, the accepted additions' handles and how many lines each added.
    private var additionsByBlock: [[(handle: Int, lines: Int)]]
    private var removals: [(handle: Int, block: Int, edit: NginxListenEdit)] = []
    private var nextHandle = 0

    public init(tree: NginxConfigTree) {
        self.tree = tree
        planner = NginxListenPlanner(tree: tree)
        // Arrays by block index, not tables: a plan adding to every block hashed each index
        // several times and grew the tables as it went.
        linesByBlock = Array(repeating: [], count: tree.serverBlocks.count)
        additionsByBlock = Array(repeating: [], count: tree.serverBlocks.count)
    }

    /// Plans one listen to add; returns its handle. Throws when nginx would reject it or it
    /// cannot be written safely (see
    /// ``NginxConfigTree/addListen(toBlock:family:port:hostAddresses:)``).
    public mutating func add(_ request: NginxListenRequest, hostAddresses: [String]) throws(NginxError) -> Int {
        let lines = try planner.plan(request, hostAddresses: hostAddresses)
        if linesByBlock[request.block].isEmpty {
            changed[position(ofFile: tree.serverBlocks[request.block].source.fileIndex)].blocks.append(request.block)
        }
        linesByBlock[request.block] += lines
        additionsByBlock[request.block].append((nextHandle, lines.count))
        nextHandle += 1
        return nextHandle - 1
    }

    /// Plans one listen to remove; returns its handle. Throws what
    /// ``NginxConfigTree/removeListen(_:fromBlock:)`` refuses.
    public mutating func remove(_ listen: NginxListen, fromBlock block: Int) throws(NginxError) -> Int {
        let edit = try tree.removal(of: listen, fromBlock: block)
        changed[position(ofFile: tree.serverBlocks[block].source.fileIndex)].removals.append(removals.count)
        removals.append((nextHandle, block, edit))
        nextHandle += 1
        return nextHandle - 1
    }

    private mutating func position(ofFile file: Int) -> Int {
        if let position = changedPosition[file] { return position }
        changedPosition[file] = changed.count
        changed.append(ChangedFile(file: file))
        return changed.count - 1
    }

    /// The additions as one insertion per block, placed in their files (in the order the
    /// files were first named).
    func placedInsertions() -> [NginxConfigTree.PlacedInsertion] { changed.flatMap(placed) }

    /// One changed file's additions, one insertion per block, placed in the file.
    private func placed(_ changedFile: ChangedFile) -> [NginxConfigTree.PlacedInsertion] {
        tree.placeInsertions(inFile: changedFile.file, blocks: changedFile.blocks, linesByBlock: linesByBlock)
    }

    /// Every request's final edit.
    public func outcome() -> Outcome { outcome([outcome(files: 0..<changedFileCount)]) }

    /// How many files the batch changes. The outcome is made file by file, so parts of it
    /// (see ``outcome(files:)``) can be made on several threads at once.
    public var changedFileCount: Int { changed.count }

    /// What the changed files at `files` (positions in `0..<changedFileCount`) make.
    public func outcome(files: Range<Int>) -> Outcome.Part {
        var part = Outcome.Part()
        for changedFile in changed[files] {
            var fileEdits: [NginxListenEdit] = []
            for insertion in placed(changedFile) {
                for (handle, edit) in Self.split(insertion, handles: additionsByBlock[insertion.block]) {
                    part.edits.append((handle, edit))
                    fileEdits.append(edit)
                }
            }
            let fileRemovals = changedFile.removals.map { removals[$0] }
            let withheld = withheldRemovals(fileRemovals, additions: fileEdits)
            for removal in fileRemovals {
                if let reason = withheld[removal.handle] {
                    part.withheld.append((removal.handle, reason))
                } else {
                    part.edits.append((removal.handle, removal.edit))
                    fileEdits.append(removal.edit)
                }
            }
            if !fileEdits.isEmpty { part.files.append((tree.files[changedFile.file].path, fileEdits)) }
        }
        return part
    }

    /// The outcome from parts that cover every changed file once, in order.
    public func outcome(_ parts: [Outcome.Part]) -> Outcome {
        var edits = [NginxListenEdit?](repeating: nil, count: nextHandle)
        var withheld: [Int: Withheld] = [:]
        for part in parts {
            for (handle, edit) in part.edits { edits[handle] = edit }
            for (handle, reason) in part.withheld { withheld[handle] = reason }
        }
        return Outcome(edits: edits, withheld: withheld, files: parts.flatMap(\.files))
    }

    /// The removals of one file that cannot be made: all of them when one overlaps another
    /// edit of the file (the operator applies, then plans again for the rest), and those that
    /// would take a block's last listens while nothing is added to it (nginx would fall back
    /// to `*:80`).
    private func withheldRemovals(
        _ fileRemovals: [(handle: Int, block: Int, edit: NginxListenEdit)], additions: [NginxListenEdit]
    ) -> [Int: Withheld] {
        var withheld: [Int: Withheld] = [:]
        guard !fileRemovals.isEmpty else { return withheld }
        if Self.anyOverlap(fileRemovals.map(\.edit) + additions) {
            for removal in fileRemovals {
                withheld[removal.handle] = Withheld(
                    edit: removal.edit,
                    reason: "additions and removals overlap; apply, then run plan again for the rest")
            }
            return withheld
        }
        let byBlock = Dictionary(grouping: fileRemovals, by: \.block)
        for (block, blockRemovals) in byBlock where additionsByBlock[block].isEmpty {
            let removed = Set(blockRemovals.map(\.edit.offset))
            guard removed.count >= tree.serverBlocks[block].listens.count else { continue }
            for removal in blockRemovals {
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
