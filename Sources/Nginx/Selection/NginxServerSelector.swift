/// Answers "which server block serves this request" for a loaded tree, with nginx's rules
/// (DESIGN §4): the connection's address:port picks the candidate blocks (a block on a
/// specific address captures that address from the port's wildcard blocks), then the Host
/// picks among them: exact name, longest leading wildcard, longest trailing wildcard, first
/// matching regex, else the `default_server`, else the first block on that socket.
public struct NginxServerSelector: Sendable {
    private let groups: [NginxSocketKey: NginxSocketGroup]
    private let hostnameListensByPort: [Int: NginxSourceLocation]
    private let machineHostname: String?

    /// Indexes the blocks of `tree`. `machineHostname` is what `server_name $hostname`
    /// means (the machine's `gethostname()`); without it such names make a selection that
    /// reaches them undecidable.
    public init(tree: NginxConfigTree, machineHostname: String? = nil) {
        var groups: [NginxSocketKey: NginxSocketGroup] = [:]
        var hostnameListens: [Int: NginxSourceLocation] = [:]
        // Each socket's name table is made at its final size: grown one name at a time, a
        // table of 100,000 names was hashed again at every doubling.
        var names: [NginxSocketKey: Int] = [:]
        for block in tree.serverBlocks {
            for listen in block.effectiveListens where listen.family != nil {
                guard let port = listen.port else { continue }
                names[NginxSocketKey(address: listen.address, port: port), default: 0] += block.serverNames.count + 1
            }
        }
        for (key, count) in names { groups[key] = NginxSocketGroup(expectedNames: count) }
        for block in tree.serverBlocks {
            for listen in block.effectiveListens {
                guard let port = listen.port else { continue }
                if case .hostname = listen.address {
                    if hostnameListens[port] == nil, let source = listen.source {
                        hostnameListens[port] = source.location
                    }
                    continue
                }
                guard listen.family != nil else { continue }
                groups[NginxSocketKey(address: listen.address, port: port), default: NginxSocketGroup()]
                    .add(
                        block: block.index, listen: listen, names: block.serverNames,
                        legacySSL: block.legacySSL?.location)
            }
        }
        self.groups = groups
        hostnameListensByPort = hostnameListens
        self.machineHostname = machineHostname.map { $0.lowercased() }
    }

    /// The block answering a request for `host` that reached local `address` (an IP
    /// literal such as `127.0.0.1`, `::1` or `[::1]`) on `port` over `family`.
    public func select(family: AddressFamily, address: String, port: Int, host: String) -> NginxSelection {
        guard let local = NginxListenAddress.literal(address), local.family == family, !local.isWildcard else {
            return .undecidable("\"\(address)\" is not a specific \(family.displayName) address")
        }
        return select(family: family, local: local, port: port, host: host)
    }

    /// ``select(family:address:port:host:)`` with the local address already parsed (a caller
    /// asking about many names on one address parses it once).
    public func select(family: AddressFamily, local: NginxListenAddress, port: Int, host: String) -> NginxSelection {
        select(on: socket(family: family, local: local, port: port), host: host)
    }

    /// Where connections to one local address and port go, before the Host is looked at:
    /// found once, for a caller asking about many names there (see ``select(on:host:)``).
    public struct Socket: Sendable {
        fileprivate enum Outcome: Sendable {
            case decided(NginxSelection)
            case group(NginxSocketGroup)
        }
        fileprivate let outcome: Outcome
    }

    /// The socket nginx picks for connections to local `local` on `port` over `family`.
    public func socket(family: AddressFamily, local: NginxListenAddress, port: Int) -> Socket {
        guard local.family == family, !local.isWildcard else {
            return Socket(
                outcome: .decided(.undecidable("\"\(local)\" is not a specific \(family.displayName) address")))
        }
        if let location = hostnameListensByPort[port] {
            return Socket(
                outcome: .decided(
                    .undecidable(
                        "\(location): a listen on port \(port) names a host; nginx resolves it when it starts, so which addresses it binds is unknown"
                    )))
        }
        guard let group = socketGroup(for: local, family: family, port: port) else {
            return Socket(outcome: .decided(.nothingListens))
        }
        return Socket(outcome: .group(group))
    }

    /// The block answering a request for `host` on `socket`.
    public func select(on socket: Socket, host: String) -> NginxSelection {
        switch socket.outcome {
        case .decided(let selection): return selection
        case .group(let group):
            if let problem = Self.hostProblem(host) { return .badRequest(problem) }
            return select(in: group, host: Self.normalize(host))
        }
    }

    /// How nginx treats a connection to local `address` on `port` over `family`: whether it
    /// speaks TLS there, with where that is decided (an `ssl` listen, or `ssl on;` in the
    /// socket's default block); nil when the configuration does not say (nothing listens, the
    /// address is not a specific literal, a listen names a host).
    public func tls(
        family: AddressFamily, address: String, port: Int
    ) -> (tls: Bool, decidedAt: NginxSourceLocation?)? {
        guard let local = NginxListenAddress.literal(address), local.family == family, !local.isWildcard,
            hostnameListensByPort[port] == nil, let group = socketGroup(for: local, family: family, port: port)
        else { return nil }
        let location = group.tls
        return (location != nil, location)
    }

    private func socketGroup(for local: NginxListenAddress, family: AddressFamily, port: Int) -> NginxSocketGroup? {
        if let group = groups[NginxSocketKey(address: local, port: port)] { return group }
        if family == .ipv4 {
            if let group = groups[NginxSocketKey(address: .wildcardIPv4, port: port)] { return group }
            // A dual-stack `[::]:P ipv6only=off` socket takes IPv4 connections as mapped
            // addresses, and nginx matches them against that port's IPv6 wildcard.
            if let group = groups[NginxSocketKey(address: .wildcardIPv6, port: port)], group.acceptsIPv4 {
                return group
            }
            return nil
        }
        return groups[NginxSocketKey(address: .wildcardIPv6, port: port)]
    }

    private func select(in group: NginxSocketGroup, host: String) -> NginxSelection {
        if let block = group.exactMatch(host, machineHostname: machineHostname) {
            return .answered(block: block, reason: .exactName)
        }
        if machineHostname == nil, let block = group.hostnameBlocks.first {
            return .undecidable("block #\(block) has server_name $hostname and the machine's host name was not given")
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if let block = group.leadingWildcardMatch(labels) { return .answered(block: block, reason: .leadingWildcard) }
        if let block = group.trailingWildcardMatch(labels) { return .answered(block: block, reason: .trailingWildcard) }
        for entry in group.regexes {
            switch NginxRegex.firstMatch(pattern: entry.pattern, in: host) {
            case .matched: return .answered(block: entry.block, reason: .regex)
            case .notMatched: continue
            case .unsupported(let why):
                return .undecidable("\(entry.location): server_name ~\(entry.pattern) cannot be evaluated: \(why)")
            }
        }
        if let block = group.defaultBlock { return .answered(block: block, reason: .defaultServer) }
        guard let first = group.blocks.first else { return .nothingListens }
        return .answered(block: first, reason: .firstBlockOnSocket)
    }

    /// Why nginx's `ngx_http_validate_host` rejects `host`, nil when it accepts it.
    static func hostProblem(_ host: String) -> String? {
        let bytes = host.utf8
        var length = bytes.count
        var inLiteral = false
        var afterHost = false
        var lastDot = -2
        for (index, byte) in bytes.enumerated() where !afterHost {
            switch byte {
            case UInt8(ascii: "."):
                if lastDot == index - 1 { return "Host \"\(host)\" has an empty label" }
                lastDot = index
            case UInt8(ascii: ":"):
                if !inLiteral {
                    length = index
                    afterHost = true
                }
            case UInt8(ascii: "["):
                if index == 0 { inLiteral = true }
            case UInt8(ascii: "]"):
                if inLiteral {
                    length = index + 1
                    afterHost = true
                }
            case UInt8(ascii: "/"), 0:
                return "Host \"\(host)\" contains a path separator or NUL"
            default:
                if byte <= 0x20 || byte == 0x7F { return "Host \"\(host)\" contains a control character or space" }
            }
        }
        if lastDot == length - 1 { length -= 1 }
        return length <= 0 ? "Host \"\(host)\" is empty" : nil
    }

    /// The Host as nginx compares it: lowercased, without a port, without a trailing dot.
    static func normalize(_ host: String) -> String {
        // Most hosts are already lowercase names without a port or a final dot: as they are.
        let needsWork = host.utf8.contains {
            ($0 >= 65 && $0 <= 90) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "[")
        }
        if !needsWork && host.utf8.last != UInt8(ascii: ".") { return host }
        var text = Substring(host)
        if text.hasPrefix("[") {
            if let close = text.firstIndex(of: "]") { text = text[...close] }
        } else if let colon = text.firstIndex(of: ":") {
            text = text[..<colon]
        }
        if text.hasSuffix(".") { text = text.dropLast() }
        return String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
