/// The IP family a socket belongs to.
public enum NginxAddressFamily: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case ipv4
    case ipv6

    /// The other family (the one an editor mirrors a listen into).
    public var other: NginxAddressFamily { self == .ipv4 ? .ipv6 : .ipv4 }

    public var description: String { self == .ipv4 ? "IPv4" : "IPv6" }
}
