/// One connection to make: a vhost's name, over one family, to one of its addresses and ports.
public struct ProbeTarget: Sendable, Hashable {
    /// The host name sent as SNI and in the `Host` header, and checked against the certificate.
    public var vhost: String
    /// The family of `address`; reported per family so one being down shows on its own.
    public var family: AddressFamily
    /// An IP literal without brackets (`127.0.0.1`, `::1`), as published in DNS.
    public var address: String
    /// A port the vhost must be served on.
    public var port: UInt16
    /// Whether to speak TLS on this port before HTTP.
    public var tls: Bool

    /// A target; `address` must be an IP literal of `family` (checked when probed).
    public init(vhost: String, family: AddressFamily, address: String, port: UInt16, tls: Bool) {
        self.vhost = vhost
        self.family = family
        self.address = address
        self.port = port
        self.tls = tls
    }

    /// The address as it appears in a URL: IPv6 in brackets.
    public var addressText: String { family == .ipv6 ? "[\(address)]" : address }

    /// The `Host` header: the port is left out when it is the scheme's default (RFC 9110 §7.2).
    var hostHeader: String {
        let defaultPort: UInt16 = tls ? 443 : 80
        return port == defaultPort ? vhost : "\(vhost):\(port)"
    }
}
