import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Loopback ports for servers started by tests.
public enum LoopbackPort {
    /// A TCP port in the high range that is currently free on both 127.0.0.1 and ::1.
    ///
    /// The kernel picks the port (bind to port 0); there is a small race between closing the
    /// probe socket and the server binding it, which is acceptable for tests. The same port
    /// is also checked free for UDP since DNS servers bind both.
    public static func free() -> UInt16 {
        for _ in 0..<100 {
            guard let port = bindEphemeral(family: AF_INET6, type: Int32(SOCK_STREAM.rawValue), port: 0)
            else { continue }
            if port < 20000 { continue }
            if bindEphemeral(family: AF_INET, type: Int32(SOCK_STREAM.rawValue), port: port) != nil,
                bindEphemeral(family: AF_INET, type: Int32(SOCK_DGRAM.rawValue), port: port) != nil,
                bindEphemeral(family: AF_INET6, type: Int32(SOCK_DGRAM.rawValue), port: port) != nil
            {
                return port
            }
        }
        fatalError("no free loopback port found")
    }

    /// Whether something accepts TCP connections on 127.0.0.1 at `port`.
    public static func accepts(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Binds a socket of `family` on loopback to `port` (0: kernel's choice) and returns the
    /// bound port, or nil when the bind failed. The socket is closed before returning.
    static func bindEphemeral(family: Int32, type: Int32, port: UInt16) -> UInt16? {
        let fd = socket(family, type, 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if family == AF_INET6 {
            var on: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &on, socklen_t(MemoryLayout<Int32>.size))
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = port.bigEndian
            addr.sin6_addr = in6addr_loopback
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
                }
            }
            guard ok else { return nil }
            var bound = sockaddr_in6()
            var len = socklen_t(MemoryLayout<sockaddr_in6>.size)
            _ = withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
            }
            return UInt16(bigEndian: bound.sin6_port)
        } else {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard ok else { return nil }
            var bound = sockaddr_in()
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
            }
            return UInt16(bigEndian: bound.sin_port)
        }
    }
}
