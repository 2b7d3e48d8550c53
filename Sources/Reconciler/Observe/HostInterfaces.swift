import DNS
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The IP addresses configured on this machine's interfaces, in canonical text form.
public struct HostInterfaces: Sendable {
    public var addresses: Set<String>

    public init(addresses: Set<String>) { self.addresses = addresses }

    /// Reads the interfaces with getifaddrs(3).
    public static func current() -> HostInterfaces {
        var result: Set<String> = []
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return HostInterfaces(addresses: []) }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let sa = entry.pointee.ifa_addr else { continue }
            switch Int32(sa.pointee.sa_family) {
            case AF_INET:
                let bytes = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
                }
                if let v4 = IPv4Bytes(bytes) { result.insert(v4.description) }
            case AF_INET6:
                let bytes = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                }
                if let v6 = IPv6Bytes(bytes) { result.insert(v6.description) }
            default:
                continue
            }
        }
        return HostInterfaces(addresses: result)
    }
}
