import DNS

/// The addresses `init` writes as `host.ipv4` / `host.ipv6`: the machine's global ones.
/// Loopback, link-local, private, shared, multicast, unspecified and documentation ranges
/// are left out, each with a note saying which address and why, for the operator to add
/// back by hand (a host behind NAT is reached on an address it does not have).
public struct HostAddressSelection: Sendable, Equatable {
    public var ipv4: [String] = []
    public var ipv6: [String] = []
    /// One sentence per address left out.
    public var notes: [String] = []

    public init(ipv4: [String] = [], ipv6: [String] = [], notes: [String] = []) {
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.notes = notes
    }

    /// Sorts `addresses` (canonical text, as ``HostInterfaces`` has them) into global ones
    /// and notes.
    public init(interfaceAddresses addresses: Set<String>) {
        for address in addresses.sorted() {
            if let reason = Self.exclusionReason(address) {
                notes.append("left out \(address): \(reason)")
            } else if IPv4Bytes(address) != nil {
                ipv4.append(address)
            } else if IPv6Bytes(address) != nil {
                ipv6.append(address)
            }
        }
    }

    /// Why `address` is not a global address of this host, or nil when it is one.
    public static func exclusionReason(_ address: String) -> String? {
        if let v4 = IPv4Bytes(address) {
            let b = v4.bytes
            switch (b[0], b[1]) {
            case (0, _): return "unspecified (0.0.0.0/8)"
            case (127, _): return "loopback (127.0.0.0/8)"
            case (169, 254): return "link-local (169.254.0.0/16)"
            case (10, _): return "private (10.0.0.0/8)"
            case (172, 16...31): return "private (172.16.0.0/12)"
            case (192, 168): return "private (192.168.0.0/16)"
            case (100, 64...127): return "shared address space (100.64.0.0/10)"
            case (224...255, _): return "multicast or reserved (224.0.0.0/3)"
            default: break
            }
            if ProbePlanner.isDocumentationAddress(address) { return "documentation range (RFC 5737)" }
            return nil
        }
        guard let v6 = IPv6Bytes(address) else { return "not an IP address" }
        let b = v6.bytes
        if b.allSatisfy({ $0 == 0 }) { return "unspecified (::)" }
        if b.dropLast().allSatisfy({ $0 == 0 }) && b[15] == 1 { return "loopback (::1)" }
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return "link-local (fe80::/10)" }
        if b[0] & 0xfe == 0xfc { return "unique local (fc00::/7)" }
        if b[0] == 0xff { return "multicast (ff00::/8)" }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return "IPv4-mapped (::ffff:0:0/96)" }
        if ProbePlanner.isDocumentationAddress(address) { return "documentation range (RFC 3849)" }
        return nil
    }
}
