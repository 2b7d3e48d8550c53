import NIOCore

/// Where queries, transfers and updates go: an IPv4 or IPv6 literal and a port. Host names
/// are not accepted; resolving the resolver is out of scope.
public struct DNSServerAddress: Hashable, Sendable, CustomStringConvertible {
    /// The literal as given (`127.0.0.1`, `::1`).
    public let host: String
    public let port: UInt16
    public let isIPv6: Bool

    /// Checks that `host` is a strict IPv4 or IPv6 literal (brackets around IPv6 are removed).
    public init(host: String, port: UInt16 = 53) throws(DNSError) {
        var literal = host
        if literal.hasPrefix("[") && literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        if IPv4Bytes(literal) != nil {
            isIPv6 = false
        } else if IPv6Bytes(literal) != nil {
            isIPv6 = true
        } else {
            throw .invalidServerAddress(host)
        }
        self.host = literal
        self.port = port
    }

    /// `127.0.0.1:53` or `[::1]:53`.
    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    func socketAddress() throws(DNSError) -> SocketAddress {
        do {
            return try SocketAddress(ipAddress: host, port: Int(port))
        } catch {
            throw .invalidServerAddress(host)
        }
    }
}
