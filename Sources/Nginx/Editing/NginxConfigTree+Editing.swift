/// Minimal byte edits of `listen` directives (DESIGN §4).
extension NginxConfigTree {
    /// The comment that marks lines written by reconcile.
    public static let managedMarker = "# managed by reconcile"

    /// Adds one `listen` for `family` and `port` to server block `blockIndex`, right after
    /// the block's own last `listen` line, in that line's indentation and line ending,
    /// followed by ` # managed by reconcile`.
    ///
    /// The new listen mirrors the block's listen on the same port in the other family: a
    /// wildcard becomes the new family's wildcard (`listen 443 ssl` -> `listen [::]:443 ssl`),
    /// a loopback address the other loopback, another specific address the host's first
    /// address of the new family from `hostAddresses`. It copies `ssl`, `http2`, `quic` and
    /// `proxy_protocol`; it copies `default_server` only when no other block is the default
    /// of that socket, and socket-level parameters (`reuseport`, `backlog=`, ...) only when no
    /// other block listens on that port in that family (nginx rejects a second set of socket
    /// options on one address:port, and a separately bound specific address beside a
    /// wildcard fails at reload). A block without any `listen` gets its implicit
    /// `listen 80;` written out first, so it keeps IPv4.
    ///
    /// Throws instead of producing what nginx would reject or fail to bind: a duplicate
    /// listen in the block, an IPv4 listen beside a dual-stack `[::]:P ipv6only=off`, a
    /// wildcard beside another block's separately bound specific address of the port
    /// (`bind`, `reuseport` or another socket option), a specific address without a host
    /// address to mirror it, a block whose file is read more than once.
    public func addListen(
        toBlock blockIndex: Int, family: AddressFamily, port: Int, hostAddresses: [String] = []
    ) throws(NginxError) -> FileEdit {
        let edits = try addListens(
            [NginxListenRequest(block: blockIndex, family: family, port: port)], hostAddresses: hostAddresses)
        guard let edit = edits.first else { throw .serverBlockNotFound(index: blockIndex, count: serverBlocks.count) }
        return edit
    }

    /// Adds several listens at once, by the rules of
    /// ``addListen(toBlock:family:port:hostAddresses:)``, each judged against the tree plus
    /// the listens added before it in `requests` (so two additions never make a second
    /// `default_server` or a second set of socket options on one socket). Returns one edit
    /// per changed file, in the order the files are first named; several listens for one
    /// block go together after its last listen, in request order. Throws at the first
    /// request that cannot be made; nothing is returned then.
    public func addListens(_ requests: [NginxListenRequest], hostAddresses: [String] = []) throws(NginxError)
        -> [FileEdit]
    {
        var batch = NginxEditBatch(tree: self)
        for request in requests { _ = try batch.add(request, hostAddresses: hostAddresses) }
        var fileOrder: [Int] = []
        var byFile: [Int: [PlacedInsertion]] = [:]
        for placed in batch.placedInsertions() {
            if byFile[placed.fileIndex] == nil { fileOrder.append(placed.fileIndex) }
            byFile[placed.fileIndex, default: []].append(placed)
        }
        return fileOrder.map { fileIndex in
            let file = files[fileIndex]
            let placed = byFile[fileIndex] ?? []
            let edits = placed.map {
                NginxListenEdit(
                    path: file.path, offset: $0.position, removing: 0, inserting: $0.bytes, line: 0, directive: "")
            }
            let lines = placed.flatMap(\.lines).map { FileEdit.InsertedLine(line: $0.line, text: $0.text) }
            return FileEdit(
                path: file.path, originalBytes: file.bytes,
                newBytes: NginxListenEdit.applied(edits, to: file.bytes) ?? [],
                line: lines.first?.line ?? 1, insertedText: lines.map(\.text).joined(separator: "\n"),
                removedText: "", insertedLines: lines)
        }
    }

    /// One block's planned lines as an insertion into its file: where (a byte offset of the
    /// file as read), the bytes, and each line's text, offset in the bytes and 1-based line in
    /// the file after every insertion of the batch.
    struct PlacedInsertion {
        struct Line {
            let text: String
            let byteOffset: Int
            let line: Int
        }
        let path: String
        let fileIndex: Int
        let block: Int
        let position: Int
        let bytes: [UInt8]
        let lines: [Line]
    }

    /// Places the lines planned for `blocks` (each a block of file `fileIndex`, in the order
    /// they were first named) in position order (insertions at one position keep their
    /// order), numbering each line as it lands. Files are independent: each is placed on its
    /// own.
    func placeInsertions(inFile fileIndex: Int, blocks: [Int], linesByBlock: [[String]]) -> [PlacedInsertion] {
        let file = files[fileIndex]
        let insertions = blocks.map { block in
            let lines = linesByBlock[block]
            return (planned: insertion(lines: lines, into: serverBlocks[block]), lines: lines, block: block)
        }
        // Sorted by index, so the insertions (each holding three arrays) are not copied.
        let order = insertions.indices.sorted {
            (insertions[$0].planned.position, $0) < (insertions[$1].planned.position, $1)
        }
        var out: [PlacedInsertion] = []
        out.reserveCapacity(insertions.count)
        var cursor = 0
        var lineNumber = 1
        for insertion in order.lazy.map({ insertions[$0] }) {
            let planned = insertion.planned
            lineNumber += Self.newlines(file.bytes[cursor..<planned.position])
            cursor = planned.position
            var previous = 0
            var lines: [PlacedInsertion.Line] = []
            lines.reserveCapacity(insertion.lines.count)
            for (offset, text) in zip(planned.lineOffsets, insertion.lines) {
                lineNumber += Self.newlines(planned.bytes[previous..<offset])
                previous = offset
                lines.append(PlacedInsertion.Line(text: text, byteOffset: offset, line: lineNumber))
            }
            lineNumber += Self.newlines(planned.bytes[previous...])
            out.append(
                PlacedInsertion(
                    path: file.path, fileIndex: fileIndex, block: insertion.block, position: planned.position,
                    bytes: planned.bytes, lines: lines))
        }
        return out
    }

    private static func newlines(_ bytes: ArraySlice<UInt8>) -> Int { bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }

    /// The directive of a line reconcile wrote, without the marker comment.
    static func withoutMarker(_ line: String) -> String {
        let marker = " " + managedMarker
        return line.hasSuffix(marker) ? String(line.dropLast(marker.count)) : line
    }

    /// The tree as it would be after `edits` (whole-file replacements of files it holds),
    /// re-read from memory: for chaining edits of different kinds (add, then remove) on
    /// one file. No disk I/O.
    public func applying(_ edits: [FileEdit]) throws(NginxError) -> NginxConfigTree {
        var contents: [String: [UInt8]] = [:]
        for file in files { contents[file.path] = file.bytes }
        for edit in edits { contents[edit.path] = edit.newBytes }
        return try NginxConfigTree.load(
            mainConfig: mainConfigPath, reader: InMemoryNginxFileReader(files: contents), limits: limits)
    }

    /// Removes one `listen` the block states in its own file: the whole line when the line
    /// holds only that directive (and perhaps a comment), else just the directive's bytes.
    ///
    /// Refuses nginx's implicit listen, a listen that comes from an included file (shared
    /// with other blocks, or not the block's own text), and the block's only listen (nginx
    /// would fall back to `*:80`).
    public func removeListen(_ listen: NginxListen, fromBlock blockIndex: Int) throws(NginxError) -> FileEdit {
        let removal = try removal(of: listen, fromBlock: blockIndex)
        let bytes = files[serverBlocks[blockIndex].source.fileIndex].bytes
        return FileEdit(
            path: removal.path, originalBytes: bytes, newBytes: NginxListenEdit.applied([removal], to: bytes) ?? bytes,
            line: removal.line, insertedText: "", removedText: removal.directive)
    }

    /// The removal of one `listen` as a byte range of its file as read (see
    /// ``removeListen(_:fromBlock:)``).
    func removal(of listen: NginxListen, fromBlock blockIndex: Int) throws(NginxError) -> NginxListenEdit {
        guard serverBlocks.indices.contains(blockIndex) else {
            throw .serverBlockNotFound(index: blockIndex, count: serverBlocks.count)
        }
        let block = serverBlocks[blockIndex]
        try requireUnshared(block)
        guard let source = listen.source else {
            throw .listenNotEditable(
                text: "listen *:80", reason: "it is nginx's implicit listen of a block without one", at: block.location)
        }
        let file = files[source.fileIndex]
        guard source.fileIndex == block.source.fileIndex,
            file.directives[source.directiveIndex].parent == block.source.directiveIndex
        else {
            throw .listenNotEditable(
                text: source.text, reason: "it is written in an included file, not in the block itself",
                at: source.location)
        }
        guard block.listens.contains(listen) else {
            throw .listenNotEditable(
                text: source.text, reason: "it is not a listen of block #\(blockIndex)", at: source.location)
        }
        guard block.listens.count > 1 else { throw .wouldLeaveImplicitListen(text: source.text, at: source.location) }
        let bytes = file.bytes
        var start = source.byteRange.lowerBound
        var end = source.byteRange.upperBound
        let lineStart = Self.lineStart(bytes, before: start)
        let (restEnd, lineEnd) = Self.restOfLine(bytes, after: end)
        let onlyLayoutBefore = bytes[lineStart..<start].allSatisfy { $0 == 0x20 || $0 == 0x09 }
        if onlyLayoutBefore && Self.isLayoutOrComment(bytes[end..<restEnd]) {
            start = lineStart
            end = lineEnd
        } else {
            while end < restEnd && (bytes[end] == 0x20 || bytes[end] == 0x09) { end += 1 }
        }
        return NginxListenEdit(
            path: file.path, offset: start, removing: end - start, inserting: [], line: source.location.line,
            directive: source.text)
    }

    /// Refuses a block whose file is read more than once (DESIGN §4: never edit a snippet
    /// other blocks include too).
    func requireUnshared(_ block: NginxServerBlock) throws(NginxError) {
        let count = includeCount(ofFile: block.source.fileIndex)
        if count > 1 { throw .sharedFile(path: block.file, includeCount: count, at: block.location) }
    }

    /// `443`, `[::]:443`, `192.0.2.1:443`, `[2001:db8::1]:443`.
    static func listenAddressText(_ address: NginxListenAddress, port: Int) -> String {
        address == .wildcardIPv4 ? "\(port)" : "\(address):\(port)"
    }

    /// Where and what to insert for `lines` in the block's file: after the block's last own
    /// `listen` (or at the top of the block), with the offsets of each line's first byte in
    /// `bytes`. Always a pure insertion: no byte of the file is replaced.
    private func insertion(lines: [String], into block: NginxServerBlock) -> (
        position: Int, bytes: [UInt8], lineOffsets: [Int]
    ) {
        let file = files[block.source.fileIndex]
        let bytes = file.bytes
        let own = block.listens.compactMap(\.source).filter {
            $0.fileIndex == block.source.fileIndex
                && file.directives[$0.directiveIndex].parent == block.source.directiveIndex
        }
        let blockDirective = file.directives[block.source.directiveIndex]
        let anchorEnd: Int
        let anchorStart: Int
        var indent: [UInt8]
        if let last = own.max(by: { $0.byteRange.lowerBound < $1.byteRange.lowerBound }) {
            anchorStart = last.byteRange.lowerBound
            anchorEnd = last.byteRange.upperBound
            indent = Self.indentation(bytes, at: anchorStart)
        } else {
            anchorStart = file.tokens[blockDirective.nameToken].start
            anchorEnd = blockDirective.terminatorOffset + 1
            let children = file.children(of: block.source.directiveIndex)
            if let first = children.first,
                Self.startsLine(bytes, at: file.tokens[file.directives[first].nameToken].start)
            {
                indent = Self.indentation(bytes, at: file.tokens[file.directives[first].nameToken].start)
            } else {
                indent = Self.indentation(bytes, at: anchorStart) + Array("    ".utf8)
            }
        }
        if !Self.startsLine(bytes, at: anchorStart) && own.isEmpty == false {
            indent = Self.indentation(bytes, at: anchorStart) + Array("    ".utf8)
        }
        let (restEnd, lineEnd) = Self.restOfLine(bytes, after: anchorEnd)
        let lineEnding = Self.lineEnding(bytes, lineEnd: lineEnd)
        var inserted: [UInt8] = []
        var offsets: [Int] = []
        var position: Int
        if Self.isLayoutOrComment(bytes[anchorEnd..<restEnd]) {
            position = lineEnd
            if lineEnd == bytes.count && (bytes.last.map { $0 != 0x0A } ?? false) {
                inserted.append(contentsOf: lineEnding)
            }
            for line in lines {
                offsets.append(inserted.count)
                inserted += indent + Array(line.utf8) + lineEnding
            }
        } else {
            // Something follows on the same line (a one-line block): break the line after the
            // anchor so the marker comment cannot swallow it. Still a pure insertion: the
            // blanks at the break stay and begin the next line, whose indentation the insert
            // completes, so the rest continues at the new lines' indentation with no trailing
            // space and every other byte as it was.
            position = anchorEnd
            var blanks = 0
            while position + blanks < restEnd, [0x20, 0x09].contains(bytes[position + blanks]) { blanks += 1 }
            let following = Array(bytes[position..<position + blanks])
            let continuation =
                indent.count >= blanks && Array(indent.suffix(blanks)) == following
                ? Array(indent.dropLast(blanks)) : indent
            for line in lines {
                inserted += lineEnding
                offsets.append(inserted.count)
                inserted += indent + Array(line.utf8)
            }
            inserted += lineEnding + continuation
        }
        return (position, inserted, offsets)
    }

    private static func lineStart(_ bytes: [UInt8], before offset: Int) -> Int {
        var index = offset
        while index > 0 && bytes[index - 1] != 0x0A { index -= 1 }
        return index
    }

    /// The end of the line's content (before `\r\n`/`\n`) and the start of the next line.
    private static func restOfLine(_ bytes: [UInt8], after offset: Int) -> (contentEnd: Int, nextLine: Int) {
        var index = offset
        while index < bytes.count && bytes[index] != 0x0A { index += 1 }
        let next = index < bytes.count ? index + 1 : index
        var contentEnd = index
        if contentEnd > offset && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
        return (contentEnd, next)
    }

    private static func startsLine(_ bytes: [UInt8], at offset: Int) -> Bool {
        bytes[lineStart(bytes, before: offset)..<offset].allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    /// The spaces and tabs that start the line holding `offset`.
    private static func indentation(_ bytes: [UInt8], at offset: Int) -> [UInt8] {
        Array(bytes[lineStart(bytes, before: offset)...].prefix { $0 == 0x20 || $0 == 0x09 })
    }

    /// The line ending of the line ending at `lineEnd` (CRLF files stay CRLF); a last line
    /// without one takes the file's first.
    private static func lineEnding(_ bytes: [UInt8], lineEnd: Int) -> [UInt8] {
        if lineEnd > 0 && lineEnd <= bytes.count && bytes[lineEnd - 1] == 0x0A {
            return lineEnd > 1 && bytes[lineEnd - 2] == 0x0D ? [0x0D, 0x0A] : [0x0A]
        }
        if let first = bytes.firstIndex(of: 0x0A), first > 0, bytes[first - 1] == 0x0D { return [0x0D, 0x0A] }
        return [0x0A]
    }

    private static func isLayoutOrComment(_ bytes: ArraySlice<UInt8>) -> Bool {
        for byte in bytes {
            if byte == UInt8(ascii: "#") { return true }
            if byte != 0x20 && byte != 0x09 && byte != 0x0D { return false }
        }
        return true
    }
}
