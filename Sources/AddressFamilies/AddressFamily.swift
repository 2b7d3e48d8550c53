/// An IP address family: what a vhost is served and published on, what an nginx socket
/// belongs to, what a probe connects over. One type for the desired state, nginx's model and
/// the probe, so no value is converted between look-alikes.
public enum AddressFamily: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case ipv4
    case ipv6

    /// The DNS record type that publishes this family.
    public var recordTypeName: String { self == .ipv4 ? "A" : "AAAA" }

    /// The other family (the one an editor mirrors a listen into).
    public var other: AddressFamily { self == .ipv4 ? .ipv6 : .ipv4 }

    /// `IPv4`, `IPv6`: the family in a sentence.
    public var displayName: String { self == .ipv4 ? "IPv4" : "IPv6" }

    public static func < (l: AddressFamily, r: AddressFamily) -> Bool { l.rawValue < r.rawValue }
}
