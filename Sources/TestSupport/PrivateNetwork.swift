import Glibc

/// A private network namespace for the calling thread: only a loopback interface, so
/// wildcard listens (`listen 80`, `[::]:80`) reach nothing but loopback. nginx started from
/// the thread inherits it. The thread returns to its own namespace afterwards.
///
/// Needs CAP_SYS_ADMIN (root outside a restricted container).
public enum PrivateNetwork {
    public struct Unavailable: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { "private network namespace unavailable: \(reason)" }
    }

    private typealias Unshare = @convention(c) (Int32) -> Int32
    private typealias Setns = @convention(c) (Int32, Int32) -> Int32
    // ioctl is variadic in C; its third argument is a pointer here, which the x86-64 and
    // arm64 calling conventions pass the same way either way.
    private typealias Ioctl = @convention(c) (Int32, UInt, UnsafeMutableRawPointer) -> Int32
    private static let cloneNewNet: Int32 = 0x4000_0000

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: type)
    }

    /// Whether namespaces can be made here (tried once).
    public static let isAvailable: Bool = (try? run { true }) ?? false

    /// Runs `body` on this thread inside a new network namespace with `lo` up.
    public static func run<T>(_ body: () throws -> T) throws -> T {
        guard let unshare = symbol("unshare", as: Unshare.self), let setns = symbol("setns", as: Setns.self),
            let ioctl = symbol("ioctl", as: Ioctl.self)
        else { throw Unavailable(reason: "unshare/setns/ioctl not found") }
        let original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard original >= 0 else { throw Unavailable(reason: "cannot open /proc/thread-self/ns/net") }
        defer { close(original) }
        guard unshare(cloneNewNet) == 0 else {
            throw Unavailable(reason: "unshare failed: \(String(cString: strerror(errno)))")
        }
        defer { _ = setns(original, cloneNewNet) }
        let control = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(control) }
        var request = ifreq()
        withUnsafeMutableBytes(of: &request.ifr_ifrn.ifrn_name) { name in
            name[0] = UInt8(ascii: "l")
            name[1] = UInt8(ascii: "o")
        }
        guard ioctl(control, UInt(SIOCGIFFLAGS), &request) == 0 else {
            throw Unavailable(reason: "SIOCGIFFLAGS failed")
        }
        request.ifr_ifru.ifru_flags |= Int16(IFF_UP)
        guard ioctl(control, UInt(SIOCSIFFLAGS), &request) == 0 else {
            throw Unavailable(reason: "SIOCSIFFLAGS failed")
        }
        return try body()
    }

    /// Runs `body` on this thread inside the named namespace `name` (made by `ip netns add`):
    /// a server started from it listens there. The thread returns to its own namespace.
    public static func inside<T>(namespace name: String, _ body: () throws -> T) throws -> T {
        guard let setns = symbol("setns", as: Setns.self) else { throw Unavailable(reason: "setns not found") }
        let original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard original >= 0 else { throw Unavailable(reason: "cannot open /proc/thread-self/ns/net") }
        defer { close(original) }
        let target = open("/run/netns/" + name, O_RDONLY | O_CLOEXEC)
        guard target >= 0 else { throw Unavailable(reason: "no network namespace \(name)") }
        defer { close(target) }
        guard setns(target, cloneNewNet) == 0 else {
            throw Unavailable(reason: "setns into \(name) failed: \(String(cString: strerror(errno)))")
        }
        defer { _ = setns(original, cloneNewNet) }
        return try body()
    }
}
