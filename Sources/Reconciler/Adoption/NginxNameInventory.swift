import DNS
import DesiredState
import Nginx

/// The names of an nginx tree sorted for `init`: each exact `server_name` in a managed zone
/// becomes a vhost with the ports of its listens; every other name (wildcards, regular
/// expressions, `$hostname`, catch-alls, names outside the zones, names that are not host
/// names) is kept as a note for the operator to decide.
public struct NginxNameInventory: Sendable {
    /// A vhost found in the tree.
    public struct Name: Sendable, Equatable {
        /// Lowercase, validated host name (RFC 1123): safe anywhere.
        public let name: String
        /// Every port its blocks listen on, sorted.
        public var ports: [UInt16]
        /// The families its listens open (what nginx serves), sorted.
        public var listenFamilies: [AddressFamily]
        /// Where it came from: `file:line directive`, one per `server_name` and `listen`.
        public var sources: [String]
    }

    /// A name not written as a vhost, and why.
    public struct Skipped: Sendable, Equatable {
        /// `file:line`.
        public let location: String
        /// The name as written (may hold anything: escape before output).
        public let text: String
        public let reason: String
    }

    public private(set) var names: [Name] = []
    public private(set) var skipped: [Skipped] = []

    /// Sorts the names of `tree`'s server blocks; paths are shown relative to `base`.
    public init(tree: NginxConfigTree, zones: [DNSName], base: String) {
        var index: [String: Int] = [:]
        for block in tree.serverBlocks {
            let listens = block.effectiveListens
            let ports = Set(listens.compactMap { $0.port }.filter { (1...65535).contains($0) }.map { UInt16($0) })
            let families = Set(listens.flatMap(Self.families))
            let listenSources = listens.map { listen in
                listen.source.map { "\(Self.place($0.location, base)) \($0.text)" }
                    ?? "\(Self.place(block.location, base)) no listen: nginx listens on *:80"
            }
            let defaultServer = listens.first { $0.defaultServer }
            if let defaultServer, let source = defaultServer.source {
                let written = block.serverNames.map(\.text)
                skipped.append(
                    Skipped(
                        location: Self.place(source.location, base), text: written.joined(separator: " "),
                        reason:
                            "default server of \(defaultServer.socketDescription) (answers every name no other block claims)"
                    ))
            }
            for serverName in block.serverNames {
                let place = Self.place(serverName.location, base)
                guard let reason = Self.skipReason(serverName, zones: zones, ports: ports) else {
                    let valid = serverName.name
                    let sources = ["\(place) server_name \(valid)"] + listenSources
                    if let existing = index[valid] {
                        names[existing].ports = Array(Set(names[existing].ports).union(ports)).sorted()
                        names[existing].listenFamilies = Array(Set(names[existing].listenFamilies).union(families))
                            .sorted()
                        names[existing].sources += sources.filter { !names[existing].sources.contains($0) }
                    } else {
                        index[valid] = names.count
                        names.append(
                            Name(
                                name: valid, ports: ports.sorted(), listenFamilies: families.sorted(), sources: sources)
                        )
                    }
                    continue
                }
                skipped.append(Skipped(location: place, text: serverName.text, reason: reason))
            }
        }
    }

    /// Why `serverName` is not written as a vhost; nil when it is one.
    static func skipReason(_ serverName: NginxServerName, zones: [DNSName], ports: Set<UInt16>) -> String? {
        switch serverName.kind {
        case .leadingWildcard, .trailingWildcard: return "wildcard name"
        case .regex: return "regular expression"
        case .hostnameVariable: return "$hostname (the machine's name)"
        case .exact: break
        }
        if serverName.text.isEmpty || serverName.text == "_" { return "catch-all name" }
        let name: String
        switch HostName.validate(serverName.name, allowWildcard: false) {
        case .success(let valid): name = valid
        case .failure(let error): return "not a host name: \(error.message)"
        }
        // A validated name is a DNS name (`validate` ensures label and name lengths).
        guard let dnsName = try? DNSName(name + "."), zones.contains(where: { dnsName.isSubdomain(of: $0) }) else {
            return "not in a managed zone (--zone)"
        }
        if ports.isEmpty { return "no TCP listen (UNIX sockets only)" }
        return nil
    }

    /// The families a listen opens: `[::]:P ipv6only=off` opens both.
    static func families(_ listen: NginxListen) -> [AddressFamily] {
        switch listen.family {
        case .ipv4: [.ipv4]
        case .ipv6: listen.acceptsIPv4OnIPv6Socket ? [.ipv4, .ipv6] : [.ipv6]
        case nil: []
        }
    }

    static func place(_ location: NginxSourceLocation, _ base: String) -> String {
        "\(Paths.display(location.file, from: base)):\(location.line)"
    }
}
