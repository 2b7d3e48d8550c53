/// An IP address family a vhost can be served and published on.
public enum AddressFamily: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case ipv4
    case ipv6

    /// The DNS record type that publishes this family.
    public var recordTypeName: String { self == .ipv4 ? "A" : "AAAA" }

    public static func < (l: AddressFamily, r: AddressFamily) -> Bool { l.rawValue < r.rawValue }
}
