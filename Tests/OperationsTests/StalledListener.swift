import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP listener that never accepts, to make probes time out without any outside
/// address. With `fillBacklog` its accept queue is filled first, so the kernel drops further
/// SYNs (connect hangs, like a host that drops packets); without it, connects complete but
/// nothing is ever read or answered (a stuck server).
final class StalledListener {
    let port: UInt16
    private let listener: Int32
    private var fillers: [Int32] = []

    init(fillBacklog: Bool) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StalledListenerError(step: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, fillBacklog ? 0 : 64) == 0 else {
            close(fd)
            throw StalledListenerError(step: "bind/listen")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        if fillBacklog {
            // Backlog 0 still queues one connection; a few more make sure the queue is full.
            for _ in 0..<3 {
                let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
                _ = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                fillers.append(client)
            }
            usleep(100_000)
        }
    }

    deinit {
        for fd in fillers { close(fd) }
        close(listener)
    }
}

struct StalledListenerError: Error {
    let step: String
}
