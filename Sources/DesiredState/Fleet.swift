import StrictYAML

/// `hosts:`: several nginx hosts driven by one desired state (DESIGN §15). Each run reconciles
/// one of them (``DesiredState/scoped(to:)``); DNS is what they share.
public struct Fleet: Sendable, Hashable {
    /// One host of the fleet and its public addresses.
    public struct Host: Sendable, Hashable {
        /// Lowercase letters, digits and `-`, at most 63 characters (it is written into DNS).
        public var name: String
        public var addresses: HostAddresses
        public var declaredAt: YAMLMark

        public init(name: String, addresses: HostAddresses, declaredAt: YAMLMark) {
            self.name = name
            self.addresses = addresses
            self.declaredAt = declaredAt
        }
    }

    /// Sorted by name.
    public var hosts: [Host]
    /// Every vhost's name with the hosts that serve it, sorted; a vhost without `hosts:` has
    /// every host.
    public var assignments: [String: [String]]
    /// Every vhost of the desired state, also those not assigned to the selected host (whose
    /// own addresses it withdraws).
    public var allVhosts: [Vhost]
    /// The host this run is, once scoped.
    public var selected: String?

    public init(hosts: [Host], assignments: [String: [String]], allVhosts: [Vhost], selected: String? = nil) {
        self.hosts = hosts.sorted { $0.name < $1.name }
        self.assignments = assignments
        self.allVhosts = allVhosts
        self.selected = selected
    }

    public func host(named name: String) -> Host? { hosts.first { $0.name == name } }

    /// The hosts that serve `vhost`, by name.
    public func servers(of vhost: String) -> [String] { assignments[vhost] ?? [] }

    /// The host whose address `address` is, if any.
    public func owner(of address: String) -> Host? {
        hosts.first {
            $0.addresses.ipv4.contains { $0.description == address }
                || $0.addresses.ipv6.contains { $0.description == address }
        }
    }

    /// Whether `name` is a host name the registry can carry: 1 to 63 of `a-z`, `0-9`, `-`,
    /// not starting or ending with `-`.
    public static func isValidHostName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else {
            return false
        }
        return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") }
    }

    /// Which host this run is: `named` (`--host`), else the one host with an address among
    /// `interfaces`. The error names the candidates.
    public func select(named: String?, interfaces: Set<String>) -> Result<String, FleetSelectionError> {
        if let named {
            guard host(named: named) != nil else {
                return .failure(.unknownHost(named, known: hosts.map(\.name)))
            }
            return .success(named)
        }
        let matching = hosts.filter { host in
            AddressFamily.allCases.contains { family in
                host.addresses.addresses(family).contains(where: interfaces.contains)
            }
        }
        guard matching.count == 1, let only = matching.first else {
            return .failure(
                matching.isEmpty
                    ? .noHostHere(known: hosts.map { $0.name }) : .severalHostsHere(matching.map { $0.name }))
        }
        return .success(only.name)
    }
}

/// Why a run could not tell which host of `hosts:` it is.
public enum FleetSelectionError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownHost(String, known: [String])
    case noHostHere(known: [String])
    case severalHostsHere([String])

    public var description: String {
        switch self {
        case .unknownHost(let name, let known):
            "--host \(YAMLScalar.quote(name)) is not one of the desired state's hosts (\(known.joined(separator: ", ")))"
        case .noHostHere(let known):
            "none of the hosts (\(known.joined(separator: ", "))) has an address on this machine's interfaces; say which host this is with --host NAME"
        case .severalHostsHere(let names):
            "several hosts have addresses on this machine's interfaces (\(names.joined(separator: ", "))); say which host this is with --host NAME"
        }
    }
}

extension DesiredState {
    /// The desired state as the run on host `name` reconciles it: `host` is that host's
    /// addresses, `vhosts` only those assigned to it; `fleet` keeps the whole fleet. Without
    /// `hosts:` the state is returned unchanged.
    public func scoped(to name: String) -> DesiredState {
        guard var fleet, let own = fleet.host(named: name) else { return self }
        fleet.selected = name
        var scoped = self
        scoped.host = own.addresses
        scoped.vhosts = vhosts.filter { fleet.servers(of: $0.name).contains(name) }
        scoped.fleet = fleet
        return scoped
    }
}
