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
    /// wildcard fails at reload). A block without
    /// any `listen` gets its implicit `listen 80;` written out first, so it keeps IPv4.
    ///
    /// Throws instead of producing what nginx would reject or fail to bind: a duplicate
    /// listen in the block, an IPv4 listen beside a dual-stack `[::]:P ipv6only=off`, a
    /// wildcard beside another block's separately bound specific address of the port
    /// (`bind`, `reuseport` or another socket option), a specific address without a host
    /// address to mirror it.
    public func addListen(
        toBlock blockIndex: Int, family: NginxAddressFamily, port: Int, hostAddresses: [String] = []
    ) throws(NginxError) -> FileEdit {
        guard serverBlocks.indices.contains(blockIndex) else {
            throw .serverBlockNotFound(index: blockIndex, count: serverBlocks.count)
        }
        let block = serverBlocks[blockIndex]
        try requireUnshared(block)
        let effective = block.effectiveListens
        if family == .ipv4,
            let dualStack = effective.first(where: { $0.port == port && $0.acceptsIPv4OnIPv6Socket }),
            let source = dualStack.source
        {
            throw .servedByDualStackListen(text: source.text, at: source.location)
        }
        let template = effective.first { $0.family == family.other && $0.port == port && $0.address.isWildcard }
            ?? effective.first { $0.family == family.other && $0.port == port }
        let address = try mirroredAddress(of: template, family: family, hostAddresses: hostAddresses)
        if let existing = effective.first(where: { $0.address == address && $0.port == port }) {
            let text = "listen \(Self.listenAddressText(address, port: port));"
            throw .duplicateListen(text: text, existing: existing.source?.location ?? block.location)
        }
        let othersOnPort = serverBlocks.filter { $0.index != blockIndex }.flatMap { other in
            other.effectiveListens.filter { $0.family == family && $0.port == port }
        }
        // A specific address with socket options is bound on its own; a wildcard beside it
        // fails to bind at start or reload although `nginx -t` passes (seen with 1.22).
        if address.isWildcard,
            let bound = othersOnPort.first(where: { !$0.address.isWildcard && !$0.socketParameters.isEmpty }),
            let source = bound.source
        {
            let text = "listen \(Self.listenAddressText(address, port: port));"
            throw .wouldFailToBind(text: text, conflicting: source.text, at: source.location)
        }
        // Another block's dual-stack `[::]:P ipv6only=off` already holds the IPv4 port.
        if family == .ipv4,
            let dualStack = serverBlocks.lazy.flatMap(\.effectiveListens).first(where: {
                $0.port == port && $0.acceptsIPv4OnIPv6Socket
            }), let source = dualStack.source
        {
            let text = "listen \(Self.listenAddressText(address, port: port));"
            throw .wouldFailToBind(text: text, conflicting: source.text, at: source.location)
        }
        let otherDefault = othersOnPort.contains { $0.address == address && $0.defaultServer }
        var parameters: [String] = []
        for parameter in template?.parameters ?? [] {
            let name = NginxListen.parameterName(parameter)
            if NginxListen.perServerParameterNames.contains(name) {
                parameters.append(parameter)
            } else if name == "default_server" || name == "default" {
                if !otherDefault { parameters.append(parameter) }
            } else if NginxListen.socketParameterNames.contains(name) {
                // A socket-level option makes nginx bind the address on its own; only safe
                // when no other block uses the port in this family at all.
                let meaningful = name != "ipv6only" || family == .ipv6
                if othersOnPort.isEmpty && meaningful { parameters.append(parameter) }
            }
        }
        var lines: [String] = []
        if block.listens.isEmpty { lines.append("listen 80; \(Self.managedMarker)") }
        let directive = (["listen", Self.listenAddressText(address, port: port)] + parameters).joined(separator: " ") + ";"
        lines.append("\(directive) \(Self.managedMarker)")
        return insert(lines: lines, into: block)
    }

    /// Removes one `listen` the block states in its own file: the whole line when the line
    /// holds only that directive (and perhaps a comment), else just the directive's bytes.
    ///
    /// Refuses nginx's implicit listen, a listen that comes from an included file (shared
    /// with other blocks, or not the block's own text), and the block's only listen (nginx
    /// would fall back to `*:80`).
    public func removeListen(_ listen: NginxListen, fromBlock blockIndex: Int) throws(NginxError) -> FileEdit {
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
                text: source.text, reason: "it is written in an included file, not in the block itself", at: source.location)
        }
        guard block.listens.contains(listen) else {
            throw .listenNotEditable(text: source.text, reason: "it is not a listen of block #\(blockIndex)", at: source.location)
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
        var newBytes = Array(bytes[..<start])
        newBytes.append(contentsOf: bytes[end...])
        return FileEdit(
            path: file.path, originalBytes: bytes, newBytes: newBytes, line: source.location.line, insertedText: "",
            removedText: source.text)
    }

    /// Refuses a block whose file is read more than once (DESIGN §4: never edit a snippet
    /// other blocks include too).
    private func requireUnshared(_ block: NginxServerBlock) throws(NginxError) {
        let count = includeCount(ofFile: block.source.fileIndex)
        if count > 1 { throw .sharedFile(path: block.file, includeCount: count, at: block.location) }
    }

    private func mirroredAddress(
        of template: NginxListen?, family: NginxAddressFamily, hostAddresses: [String]
    ) throws(NginxError) -> NginxListenAddress {
        guard let template, !template.address.isWildcard else {
            return family == .ipv4 ? .wildcardIPv4 : .wildcardIPv6
        }
        if template.address.isLoopback {
            return family == .ipv4 ? .ipv4("127.0.0.1") : .ipv6("::1")
        }
        for text in hostAddresses {
            if let address = NginxListenAddress.literal(text), address.family == family, !address.isWildcard {
                return address
            }
        }
        throw .noHostAddress(family: family, template: template.source?.location ?? NginxSourceLocation(file: mainConfigPath, line: 0, column: 0))
    }

    /// `443`, `[::]:443`, `192.0.2.1:443`, `[2001:db8::1]:443`.
    static func listenAddressText(_ address: NginxListenAddress, port: Int) -> String {
        address == .wildcardIPv4 ? "\(port)" : "\(address):\(port)"
    }

    /// Inserts `lines` after the block's last own `listen` (or at the top of the block).
    private func insert(lines: [String], into block: NginxServerBlock) -> FileEdit {
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
            if let first = children.first, Self.startsLine(bytes, at: file.tokens[file.directives[first].nameToken].start) {
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
        var position: Int
        if Self.isLayoutOrComment(bytes[anchorEnd..<restEnd]) {
            position = lineEnd
            if lineEnd == bytes.count && (bytes.last.map { $0 != 0x0A } ?? false) {
                inserted.append(contentsOf: lineEnding)
            }
            for line in lines { inserted += indent + Array(line.utf8) + lineEnding }
        } else {
            // Something follows on the same line: break the line after the anchor so the
            // marker comment cannot swallow it.
            position = anchorEnd
            for line in lines { inserted += lineEnding + indent + Array(line.utf8) }
            inserted += lineEnding + Self.indentation(bytes, at: anchorStart)
            while position < restEnd && (bytes[position] == 0x20 || bytes[position] == 0x09) { position += 1 }
        }
        var newBytes = Array(bytes[..<position])
        newBytes.append(contentsOf: inserted)
        newBytes.append(contentsOf: bytes[position...])
        let firstLine = newBytes[..<(position + (inserted.first == 0x0D || inserted.first == 0x0A ? lineEnding.count : 0))]
            .reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
        return FileEdit(
            path: file.path, originalBytes: bytes, newBytes: newBytes, line: firstLine,
            insertedText: lines.joined(separator: "\n"), removedText: "")
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
