#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The address part of a `listen`, classified the way nginx binds it.
public enum NginxListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// `listen 80`, `listen *:80`, `listen 0.0.0.0:80`: every IPv4 address, IPv4 only.
    case wildcardIPv4
    /// `listen [::]:80`: every IPv6 address (and IPv4 too only with `ipv6only=off`).
    case wildcardIPv6
    /// One IPv4 address, in canonical dotted form.
    case ipv4(String)
    /// One IPv6 address, in canonical (RFC 5952) form, without brackets.
    case ipv6(String)
    /// A UNIX-domain socket path: neither family.
    case unix(String)
    /// A host name nginx resolves when it starts; which addresses it binds is not knowable
    /// from the configuration alone.
    case hostname(String)

    /// The family the socket belongs to; nil for UNIX sockets and host names.
    public var family: AddressFamily? {
        switch self {
        case .wildcardIPv4, .ipv4: return .ipv4
        case .wildcardIPv6, .ipv6: return .ipv6
        case .unix, .hostname: return nil
        }
    }

    /// Whether the address is a family's wildcard.
    public var isWildcard: Bool { self == .wildcardIPv4 || self == .wildcardIPv6 }

    /// The address as it is written in a listen (without the port): `*`, `[::]`,
    /// `127.0.0.1`, `[::1]`, `unix:/path`, `name`.
    public var description: String {
        switch self {
        case .wildcardIPv4: return "*"
        case .wildcardIPv6: return "[::]"
        case .ipv4(let address): return address
        case .ipv6(let address): return "[\(address)]"
        case .unix(let path): return "unix:\(path)"
        case .hostname(let name): return name
        }
    }

    /// The canonical form of an IPv4 literal, nil when `text` is not one.
    public static func canonicalIPv4(_ text: String) -> String? {
        canonical(AF_INET, text, length: INET_ADDRSTRLEN)
    }

    /// The canonical form of an IPv6 literal (no brackets), nil when `text` is not one.
    public static func canonicalIPv6(_ text: String) -> String? {
        canonical(AF_INET6, text, length: INET6_ADDRSTRLEN)
    }

    /// inet_pton then inet_ntop; 16 bytes hold an address of either family.
    private static func canonical(_ family: Int32, _ text: String, length: Int32) -> String? {
        var storage = [UInt8](repeating: 0, count: 16)
        var buffer = [CChar](repeating: 0, count: Int(length))
        let ok = storage.withUnsafeMutableBytes { raw -> Bool in
            guard let base = raw.baseAddress, inet_pton(family, text, base) == 1 else { return false }
            return inet_ntop(family, base, &buffer, socklen_t(length)) != nil
        }
        guard ok else { return nil }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A specific address of either family from a literal (`127.0.0.1`, `::1`, `[::1]`);
    /// the all-zero addresses become the wildcards.
    public static func literal(_ text: String) -> NginxListenAddress? {
        var bare = text
        if bare.hasPrefix("[") && bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
        if let v4 = canonicalIPv4(bare) { return v4 == "0.0.0.0" ? .wildcardIPv4 : .ipv4(v4) }
        if let v6 = canonicalIPv6(bare) { return v6 == "::" ? .wildcardIPv6 : .ipv6(v6) }
        return nil
    }

    /// Whether this is a loopback address (127.0.0.0/8 or ::1).
    public var isLoopback: Bool {
        switch self {
        case .ipv4(let address): return address.hasPrefix("127.")
        case .ipv6(let address): return address == "::1"
        default: return false
        }
    }
}
