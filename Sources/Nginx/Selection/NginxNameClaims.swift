/// Which server blocks claim a host name by their `server_name`, across the whole tree, in
/// nginx's order of preference: the exact name (`.example.com` also names `example.com`),
/// then the longest leading wildcard, then the longest trailing wildcard, then the regexes in
/// load order. On any socket, the block nginx picks by name is the first of these that listens
/// there, so a block answering a name is "the vhost's own" exactly when it is among them.
public struct NginxNameClaims: Sendable {
    private var exact: [String: [Int]] = [:]
    private var leading: [String: [(block: Int, includesBareName: Bool)]] = [:]
    private var trailing: [String: [Int]] = [:]
    private var regexes: [(pattern: String, block: Int)] = []
    private var hostnameBlocks: [Int] = []
    private let machineHostname: String?

    /// Indexes every block's names once, so a lookup costs the host's labels plus the tree's
    /// trailing wildcards and regexes (few in practice), not the number of blocks.
    public init(tree: NginxConfigTree, machineHostname: String? = nil) {
        self.machineHostname = machineHostname.map { $0.lowercased() }
        // Made at its final size, not grown (and rehashed) one name at a time.
        exact.reserveCapacity(tree.serverBlocks.reduce(0) { $0 + $1.serverNames.count })
        for block in tree.serverBlocks {
            for name in block.serverNames {
                switch name.kind {
                case .exact:
                    Self.append(block.index, to: &exact[name.name, default: []])
                case .leadingWildcard:
                    let dotForm = name.name.hasPrefix(".")
                    let suffix = String(name.name.dropFirst(dotForm ? 1 : 2))
                    if dotForm { Self.append(block.index, to: &exact[suffix, default: []]) }
                    if leading[suffix, default: []].last?.block != block.index {
                        leading[suffix, default: []].append((block.index, dotForm))
                    }
                case .trailingWildcard:
                    Self.append(block.index, to: &trailing[String(name.name.dropLast(2)), default: []])
                case .regex:
                    if regexes.last?.block != block.index || regexes.last?.pattern != name.name {
                        regexes.append((name.name, block.index))
                    }
                case .hostnameVariable:
                    Self.append(block.index, to: &hostnameBlocks)
                }
            }
        }
    }

    private static func append(_ block: Int, to list: inout [Int]) {
        if list.last != block { list.append(block) }
    }

    /// The blocks claiming `host`, grouped by the name that matches, best group first: every
    /// block of one group matches by the same exact name, the same wildcard, or (for regexes)
    /// any regex. Empty when no `server_name` matches. A regex the engine cannot evaluate does
    /// not match. Regexes are tried only when no exact or wildcard name matches (each try
    /// compiles one, and a tree's regexes against every vhost would cost the plan its
    /// linearity); a socket where a regex block answers anyway is recognised by that block's
    /// ``NginxServerBlock/matches(host:machineHostname:)``.
    public func claimants(of host: String) -> [[Int]] {
        let normalized = NginxServerSelector.normalize(host)
        var groups: [[Int]] = []
        var exactGroup = exact[normalized] ?? []
        if let machineHostname, machineHostname == normalized {
            exactGroup += hostnameBlocks.filter { !exactGroup.contains($0) }
        }
        if !exactGroup.isEmpty { groups.append(exactGroup) }
        // Wildcards are looked up by the host's suffixes and prefixes at its dots, cut out of
        // the one string (most trees have no wildcard of one kind or both: no lookup at all).
        if !leading.isEmpty || !trailing.isEmpty {
            let dots = normalized.indices.filter { normalized[$0] == "." }
            if !leading.isEmpty {
                // Every suffix: the whole name, then after each dot (longest first).
                let starts = [normalized.startIndex] + dots.map { normalized.index(after: $0) }
                for (position, start) in starts.enumerated() {
                    guard let found = leading[String(normalized[start...])] else { continue }
                    let entries = found.filter { position > 0 || $0.includesBareName }
                    // The bare name of `.example.com` is already an exact match.
                    let blocks = entries.map(\.block).filter { position > 0 || !exactGroup.contains($0) }
                    if !blocks.isEmpty { groups.append(blocks) }
                }
            }
            if !trailing.isEmpty {
                // Every proper prefix ending before a dot, longest first.
                for end in dots.reversed() {
                    if let blocks = trailing[String(normalized[..<end])] { groups.append(blocks) }
                }
            }
        }
        guard groups.isEmpty else { return groups }
        var regexGroup: [Int] = []
        for entry in regexes where !regexGroup.contains(entry.block) {
            if NginxRegex.firstMatch(pattern: entry.pattern, in: normalized) == .matched {
                regexGroup.append(entry.block)
            }
        }
        if !regexGroup.isEmpty { groups.append(regexGroup) }
        return groups
    }
}
