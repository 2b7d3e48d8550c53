import DNS
import DesiredState

/// A change to one A or AAAA record set, stating the values it expects to find first, so a
/// concurrent change makes it fail instead of being overwritten (RFC 2136 prerequisites).
public struct RecordSetChange: Sendable, Hashable, Codable {
    /// Absolute name with trailing dot.
    public var name: String
    public var family: AddressFamily
    /// The values the record set holds now (empty: it does not exist).
    public var expected: [String]
    public var adding: [String]
    public var deleting: [String]
    public var ttl: UInt32

    public init(
        name: String, family: AddressFamily, expected: [String], adding: [String], deleting: [String], ttl: UInt32
    ) {
        self.name = name
        self.family = family
        self.expected = expected
        self.adding = adding
        self.deleting = deleting
        self.ttl = ttl
    }

    public var type: RecordType { family == .ipv4 ? .a : .aaaa }

    func dnsName() throws(ReconcileError) -> DNSName {
        do {
            return try DNSName(name)
        } catch {
            throw .other("bad record name \(name) in a plan: \(error)")
        }
    }

    static func rdata(_ value: String, _ family: AddressFamily) throws(ReconcileError) -> RData {
        switch family {
        case .ipv4:
            guard let v4 = IPv4Bytes(value) else { throw .other("\(value) is not an IPv4 address") }
            return .a(v4)
        case .ipv6:
            guard let v6 = IPv6Bytes(value) else { throw .other("\(value) is not an IPv6 address") }
            return .aaaa(v6)
        }
    }

    func records(_ values: [String]) throws(ReconcileError) -> [ResourceRecord] {
        let owner = try dnsName()
        var out: [ResourceRecord] = []
        for value in values {
            out.append(ResourceRecord(name: owner, type: type, ttl: ttl, data: try Self.rdata(value, family)))
        }
        return out
    }
}
