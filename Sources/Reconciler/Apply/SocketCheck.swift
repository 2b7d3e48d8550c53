import DNS
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Confirms a TCP socket answers: used after a reload, since `nginx -t` passing does not mean
/// the new listen bound (DESIGN §4).
public enum SocketCheck {
    /// Whether a TCP connection to `address`:`port` succeeds within `timeout` seconds.
    public static func connects(address: String, port: UInt16, timeout: Double) -> Bool {
        if let v4 = IPv4Bytes(address) {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &sa.sin_addr) { $0.copyBytes(from: v4.bytes) }
            return attempt(family: AF_INET, &sa, timeout: timeout)
        }
        if let v6 = IPv6Bytes(address) {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sa.sin6_addr) { $0.copyBytes(from: v6.bytes) }
            return attempt(family: AF_INET6, &sa, timeout: timeout)
        }
        return false
    }

    /// Polls until `address`:`port` accepts connections or `within` seconds pass.
    public static func waitUntilConnects(address: String, port: UInt16, within: Double) -> Bool {
        let deadline = Date().addingTimeInterval(within)
        repeat {
            if connects(address: address, port: port, timeout: 1) { return true }
            usleep(100_000)
        } while Date() < deadline
        return false
    }

    private static func attempt<T>(family: Int32, _ address: inout T, timeout: Double) -> Bool {
        let fd = socket(
            family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let length = socklen_t(MemoryLayout<T>.size)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        if result == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) == 1 else { return false }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
        return error == 0
    }
}
