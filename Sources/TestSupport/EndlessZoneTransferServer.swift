import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real TCP DNS server on 127.0.0.1 that answers an AXFR with the zone's SOA and then
/// never stops sending records: the hostile server a transfer's limits must end. It speaks
/// just enough DNS for that (the question echoed, A records at the apex) and serves one
/// connection at a time on its own thread until ``stop()``.
public final class EndlessZoneTransferServer: @unchecked Sendable {
    public enum Pace: Sendable {
        /// Messages of 1,000 records, as fast as the client reads them.
        case flood
        /// One record every `interval`: never idle long enough for an idle timeout.
        case trickle(interval: Duration)
    }

    public let port: UInt16
    private let listener: Int32
    private let pace: Pace
    private let thread: Thread
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopped = false

    public init(pace: Pace) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 4) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        self.pace = pace
        let done = self.done
        thread = Thread { [fd, pace] in
            Self.serve(listener: fd, pace: pace)
            done.signal()
        }
        thread.start()
    }

    /// Closes the listening socket and waits for the serving thread to end.
    public func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        _ = done.wait(timeout: .now() + 10)
        close(listener)
    }

    deinit { stop() }

    private static func serve(listener: Int32, pace: Pace) {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR { continue }
                return
            }
            answer(connection, pace: pace)
            close(connection)
        }
    }

    private static func answer(_ connection: Int32, pace: Pace) {
        guard let prefix = receive(connection, count: 2) else { return }
        let length = Int(prefix[0]) << 8 | Int(prefix[1])
        guard length >= 12, let query = receive(connection, count: length) else { return }
        let id = Array(query[0..<2])
        let question = Array(query[12...])
        // The SOA: owner and names are pointers to the question's name at offset 12.
        let soa: [UInt8] =
            [0xC0, 0x0C, 0, 6, 0, 1, 0, 0, 1, 44, 0, 24, 0xC0, 0x0C, 0xC0, 0x0C]
            + [0, 0, 0, 1, 0, 0, 14, 16, 0, 0, 3, 132, 0, 18, 117, 0, 0, 0, 1, 44]
        guard sendAll(connection, message(id: id, question: question, answers: [soa])) else { return }
        var serial: UInt32 = 0
        while true {
            let count: Int
            switch pace {
            case .flood: count = 1_000
            case .trickle(let interval):
                count = 1
                let c = interval.components
                usleep(useconds_t(c.seconds * 1_000_000 + c.attoseconds / 1_000_000_000_000))
            }
            var records: [[UInt8]] = []
            records.reserveCapacity(count)
            for _ in 0..<count {
                serial &+= 1
                records.append(
                    [
                        0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 10, UInt8(serial >> 16 & 0xFF),
                        UInt8(serial >> 8 & 0xFF), UInt8(serial & 0xFF),
                    ])
            }
            guard sendAll(connection, message(id: id, question: question, answers: records)) else { return }
        }
    }

    private static func message(id: [UInt8], question: [UInt8], answers: [[UInt8]]) -> [UInt8] {
        var body = id + [0x84, 0x00, 0, 1, UInt8(answers.count >> 8), UInt8(answers.count & 0xFF), 0, 0, 0, 0]
        body += question
        for answer in answers { body += answer }
        return [UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }

    private static func receive(_ connection: Int32, count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let result = buffer.withUnsafeMutableBytes {
                recv(connection, $0.baseAddress.map { $0 + filled }, count - filled, 0)
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return nil }
            filled += result
        }
        return buffer
    }

    /// Writes all of `bytes`; false once the client has gone.
    private static func sendAll(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes {
                send(connection, $0.baseAddress.map { $0 + sent }, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return false }
            sent += result
        }
        return true
    }
}
