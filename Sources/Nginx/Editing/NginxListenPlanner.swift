/// Decides the text of each added listen (DESIGN §4) against the tree's listens plus those
/// already planned in the same batch, so several additions never collide with each other
/// (two `default_server`s, two sets of socket options, `listen 80;` written twice).
struct NginxListenPlanner: Sendable {
    private struct FamilyPort: Hashable {
        let family: AddressFamily
        let port: Int
    }

    /// A listen with the block it belongs to and how to name it in a refusal.
    private struct Entry {
        let block: Int
        let listen: NginxListen
        let text: String
        let location: NginxSourceLocation
    }

    private let tree: NginxConfigTree
    /// Which blocks listen on each (family, port): "does another block use this port".
    private var blocksOnPort: [FamilyPort: Set<Int>] = [:]
    /// The first separately bound specific address (socket options) on each (family, port).
    private var boundSpecific: [FamilyPort: Entry] = [:]
    /// The first dual-stack `[::]:P ipv6only=off` per port.
    private var dualStack: [Int: Entry] = [:]
    /// The block that is `default_server` of each socket.
    private var defaultOfSocket: [NginxSocketKey: Int] = [:]
    /// Sockets some listen makes TLS (`ssl` on any listen of the address:port).
    private var tlsSockets: Set<NginxSocketKey> = []
    /// Per block (by index), the listens planned for it.
    private var added: [[NginxListen]]
    private var unsharedFiles: [Int: Bool] = [:]

    init(tree: NginxConfigTree) {
        self.tree = tree
        added = Array(repeating: [], count: tree.serverBlocks.count)
        for block in tree.serverBlocks {
            for listen in block.effectiveListens {
                let text =
                    listen.source?.text
                    ?? "listen \(NginxConfigTree.listenAddressText(listen.address, port: listen.port ?? 80));"
                index(listen, of: block, text: text, location: listen.source?.location ?? block.location)
            }
        }
    }

    private mutating func index(
        _ listen: NginxListen, of block: NginxServerBlock, text: String, location: NginxSourceLocation
    ) {
        guard let family = listen.family, let port = listen.port else { return }
        let key = FamilyPort(family: family, port: port)
        let entry = Entry(block: block.index, listen: listen, text: text, location: location)
        blocksOnPort[key, default: []].insert(block.index)
        if !listen.address.isWildcard && !listen.socketParameters.isEmpty && boundSpecific[key] == nil {
            boundSpecific[key] = entry
        }
        if listen.acceptsIPv4OnIPv6Socket && dualStack[port] == nil { dualStack[port] = entry }
        let socket = NginxSocketKey(address: listen.address, port: port)
        if listen.defaultServer && defaultOfSocket[socket] == nil { defaultOfSocket[socket] = block.index }
        if listen.ssl { tlsSockets.insert(socket) }
    }

    private func effectiveListens(of block: NginxServerBlock) -> [NginxListen] {
        let extra = added[block.index]
        if extra.isEmpty { return block.effectiveListens }
        if block.listens.isEmpty { return extra }
        return block.listens + extra
    }

    /// The lines (without indentation) to add to the block for `request`.
    mutating func plan(_ request: NginxListenRequest, hostAddresses: [String]) throws(NginxError) -> [String] {
        let family = request.family
        let port = request.port
        guard tree.serverBlocks.indices.contains(request.block) else {
            throw .serverBlockNotFound(index: request.block, count: tree.serverBlocks.count)
        }
        let block = tree.serverBlocks[request.block]
        if unsharedFiles[block.source.fileIndex] == nil {
            try tree.requireUnshared(block)
            unsharedFiles[block.source.fileIndex] = true
        }
        let effective = effectiveListens(of: block)
        if family == .ipv4,
            let dualStack = effective.first(where: { $0.port == port && $0.acceptsIPv4OnIPv6Socket }),
            let source = dualStack.source
        {
            throw .servedByDualStackListen(text: source.text, at: source.location)
        }
        let template =
            effective.first { $0.family == family.other && $0.port == port && $0.address.isWildcard }
            ?? effective.first { $0.family == family.other && $0.port == port }
        let address = try mirroredAddress(of: template, family: family, hostAddresses: hostAddresses)
        // Only a refusal shows the listen as one directive.
        var newText: String { "listen \(NginxConfigTree.listenAddressText(address, port: port));" }
        if let existing = effective.first(where: { $0.address == address && $0.port == port }) {
            throw .duplicateListen(text: newText, existing: existing.source?.location ?? block.location)
        }
        let key = FamilyPort(family: family, port: port)
        let blocksHere = blocksOnPort[key] ?? []
        let othersOnPort = blocksHere.count > (blocksHere.contains(block.index) ? 1 : 0)
        // A specific address with socket options is bound on its own; a wildcard beside it
        // fails to bind at start or reload although `nginx -t` passes (seen with 1.22).
        if address.isWildcard, let bound = boundSpecific[key] {
            throw .wouldFailToBind(text: newText, conflicting: bound.text, at: bound.location)
        }
        // Another block's dual-stack `[::]:P ipv6only=off` already holds the IPv4 port.
        if family == .ipv4, let dual = dualStack[port] {
            throw .wouldFailToBind(text: newText, conflicting: dual.text, at: dual.location)
        }
        let socketDefault = defaultOfSocket[NginxSocketKey(address: address, port: port)]
        let otherDefault = socketDefault != nil && socketDefault != block.index
        var parameters: [String] = []
        for parameter in template?.parameters ?? [] {
            let name = NginxListen.parameterName(parameter)
            if NginxListen.perServerParameterNames.contains(name) {
                parameters.append(parameter)
            } else if name == "default_server" || name == "default" {
                if !otherDefault { parameters.append(parameter) }
            } else if NginxListen.isSocketParameter(name) {
                // A socket-level option makes nginx bind the address on its own; only safe
                // when no other block uses the port in this family at all.
                let meaningful = name != "ipv6only" || family == .ipv6
                if !othersOnPort && meaningful { parameters.append(parameter) }
            }
        }
        // The site speaks TLS on the other family even when its own listen does not say `ssl`
        // (another block's `ssl` listen on that socket, or `ssl on;`): so must the new socket.
        let templateIsTLS =
            template.map { tlsSockets.contains(NginxSocketKey(address: $0.address, port: port)) } ?? false
        if !parameters.contains("ssl") && (templateIsTLS || block.legacySSL != nil) {
            parameters.insert("ssl", at: 0)
        }
        var lines: [String] = []
        if block.listens.isEmpty && added[block.index].isEmpty {
            lines.append("listen 80; \(NginxConfigTree.managedMarker)")
            record(NginxListen.implicitDefault, text: "listen 80;", in: block)
        }
        let directive =
            (["listen", NginxConfigTree.listenAddressText(address, port: port)] + parameters)
            .joined(separator: " ") + ";"
        lines.append("\(directive) \(NginxConfigTree.managedMarker)")
        record(
            NginxListen(address: address, port: port, parameters: parameters, source: nil), text: directive, in: block)
        return lines
    }

    private mutating func record(_ listen: NginxListen, text: String, in block: NginxServerBlock) {
        added[block.index].append(listen)
        index(listen, of: block, text: text, location: block.location)
    }

    private func mirroredAddress(
        of template: NginxListen?, family: AddressFamily, hostAddresses: [String]
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
        throw .noHostAddress(
            family: family,
            template: template.source?.location ?? NginxSourceLocation(file: tree.mainConfigPath, line: 0, column: 0))
    }
}
