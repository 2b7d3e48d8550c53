/// The blocks listening on one address:port and their names, indexed the way nginx's
/// `ngx_http_server_names` builds its hashes: exact names, leading wildcards, trailing
/// wildcards (first definition wins on conflicts), then regexes in order.
struct NginxSocketGroup: Sendable {
    private(set) var blocks: [Int] = []
    private(set) var defaultBlock: Int?
    private(set) var acceptsIPv4 = false
    private var exact: [String: Int] = [:]
    private var leading: [String: (block: Int, includesBareName: Bool)] = [:]
    private var trailing: [String: Int] = [:]
    private(set) var regexes: [(pattern: String, block: Int, location: NginxSourceLocation)] = []
    private(set) var hostnameBlocks: [Int] = []
    /// Some block's listen on this address:port says `ssl` (nginx ORs it over all of them).
    private(set) var sslListen: NginxSourceLocation?
    /// Blocks on the socket that have the legacy `ssl on;`.
    private(set) var legacySSLBlocks: [Int: NginxSourceLocation] = [:]

    /// A group whose blocks will bring about `expectedNames` names, its table sized for them.
    init(expectedNames: Int = 0) {
        exact.reserveCapacity(expectedNames)
    }

    /// Whether nginx speaks TLS to every connection on this socket: an `ssl` listen, or
    /// `ssl on;` in the block that is the socket's default (ngx_http_init_connection looks at
    /// the default server's configuration). Where it was decided, for evidence.
    var tls: NginxSourceLocation? {
        if let sslListen { return sslListen }
        guard let defaultOrFirst = defaultBlock ?? blocks.first else { return nil }
        return legacySSLBlocks[defaultOrFirst]
    }

    mutating func add(
        block: Int, listen: NginxListen, names: [NginxServerName], legacySSL: NginxSourceLocation? = nil
    ) {
        if listen.defaultServer && defaultBlock == nil { defaultBlock = block }
        if listen.acceptsIPv4OnIPv6Socket { acceptsIPv4 = true }
        if listen.ssl, sslListen == nil, let location = listen.source?.location { sslListen = location }
        if let legacySSL { legacySSLBlocks[block] = legacySSL }
        // Blocks arrive in load order, so a repeat can only be the last one added.
        guard blocks.last != block else { return }
        blocks.append(block)
        let effectiveNames = names.isEmpty ? [NginxServerName.emptyName] : names
        for name in effectiveNames {
            switch name.kind {
            case .exact:
                Self.keepFirst(&exact[name.name], block)
            case .leadingWildcard:
                let dotForm = name.name.hasPrefix(".")
                let suffix = String(name.name.dropFirst(dotForm ? 1 : 2))
                if dotForm {
                    // ".example.com" is also the exact name "example.com"; nginx's
                    // ngx_hash_add_key adds that first and, when another block already has
                    // it, ignores the whole name ("conflicting server name"), wildcard too.
                    if exact[suffix] != nil { continue }
                    exact[suffix] = block
                }
                if leading[suffix] == nil { leading[suffix] = (block, dotForm) }
            case .trailingWildcard:
                Self.keepFirst(&trailing[String(name.name.dropLast(2))], block)
            case .regex:
                regexes.append((name.name, block, name.location))
            case .hostnameVariable:
                hostnameBlocks.append(block)
            }
        }
    }

    /// The first definition wins; through the slot, the name is hashed once, not twice.
    private static func keepFirst(_ slot: inout Int?, _ block: Int) {
        if slot == nil { slot = block }
    }

    func exactMatch(_ host: String, machineHostname: String?) -> Int? {
        if let block = exact[host] {
            // `$hostname` may be defined before the literal name; nginx keeps the first.
            if let machineHostname, machineHostname == host, let first = hostnameBlocks.first,
                blocks.firstIndex(of: first) ?? 0 < blocks.firstIndex(of: block) ?? 0
            {
                return first
            }
            return block
        }
        if let machineHostname, machineHostname == host { return hostnameBlocks.first }
        return nil
    }

    /// Longest `*.suffix` (or `.suffix`) matching `labels`.
    func leadingWildcardMatch(_ labels: [Substring]) -> Int? {
        for start in labels.indices {
            let suffix = labels[start...].joined(separator: ".")
            if let entry = leading[suffix], start > 0 || entry.includesBareName { return entry.block }
        }
        return nil
    }

    /// Longest `prefix.*` matching `labels` (at least one label must follow the prefix).
    func trailingWildcardMatch(_ labels: [Substring]) -> Int? {
        guard labels.count > 1 else { return nil }
        for end in stride(from: labels.count - 1, through: 1, by: -1) {
            if let block = trailing[labels[..<end].joined(separator: ".")] { return block }
        }
        return nil
    }
}

extension NginxServerName {
    /// A block without `server_name` has the name `""` (nginx ≥ 0.8.48).
    static let emptyName = NginxServerName(
        kind: .exact, text: "", name: "", location: NginxSourceLocation(file: "", line: 0, column: 0))
}
