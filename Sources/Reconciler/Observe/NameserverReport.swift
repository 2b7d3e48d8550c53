import DNS
import DesiredState

/// What each authoritative server of one zone publishes (DESIGN §14): resolvers ask any of
/// them, over either family, so "what DNS publishes" is all of them, not `dns.server` alone.
public struct NameserverReport: Sendable {
    /// One server address, asked directly and non-recursively.
    public struct Server: Sendable {
        public let address: DNSServerAddress
        /// The NS names that resolve to this address (empty for a listed address).
        public var names: [String]
        /// The zone as this server answered it; nil when it did not answer with authority.
        public var snapshot: ZoneSnapshot?
        /// Why it gave no usable answer: unreachable, or not authoritative (lame).
        public var failure: String?

        public init(address: DNSServerAddress, names: [String], snapshot: ZoneSnapshot? = nil, failure: String? = nil) {
            self.address = address
            self.names = names
            self.snapshot = snapshot
            self.failure = failure
        }

        /// The family a resolver reaches this server over.
        public var family: AddressFamily { address.isIPv6 ? .ipv6 : .ipv4 }

        /// `ns2.example.social. (127.0.0.2:53)`, or the address alone.
        public var label: String {
            names.isEmpty ? address.description : "\(names.joined(separator: ", ")) (\(address))"
        }
    }

    public let zone: DNSName
    /// The NS names at the zone's apex, as the zone's data has them.
    public var apexNS: [String]
    /// The NS set a resolver returns for the zone, when one was asked.
    public var resolverNS: [String]?
    public var servers: [Server]
    /// What discovery could not do (an NS name without an address, no resolver).
    public var notes: [String]

    public init(zone: DNSName, apexNS: [String], resolverNS: [String]? = nil, servers: [Server], notes: [String] = []) {
        self.zone = zone
        self.apexNS = apexNS
        self.resolverNS = resolverNS
        self.servers = servers
        self.notes = notes
    }
}
