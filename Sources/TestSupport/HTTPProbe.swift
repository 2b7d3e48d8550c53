import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal blocking HTTP/1.1 client for tests: one `GET` with a chosen `Host` to a
/// loopback address and port, with a timeout; no TLS.
public enum HTTPProbe {
    /// The status code and body of a response.
    public struct Response: Sendable, Equatable {
        public let status: Int
        public let body: String

        public init(status: Int, body: String) {
            self.status = status
            self.body = body
        }
    }

    /// The request could not be made or the response not read.
    public struct Failure: Error, CustomStringConvertible {
        public let reason: String
        /// The connection was refused: nothing listens on that address and port.
        public var isConnectionRefused = false
        public var description: String { reason }
    }

    /// Sends `GET path HTTP/1.1` with `Host: host` and `Connection: close` to `address`
    /// (`127.0.0.1`, `::1`, any IP literal) on `port`, and reads the whole response.
    public static func get(
        address: String, port: UInt16, host: String, path: String = "/", timeout: Double = 5
    ) throws -> Response {
        let descriptor = try connect(address: address, port: port, timeout: timeout)
        defer { close(descriptor) }
        var seconds = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let result = request[sent...].withUnsafeBytes {
                send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard result > 0 else {
                throw Failure(reason: "send to \(address):\(port) failed: \(String(cString: strerror(errno)))")
            }
            sent += result
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else {
                throw Failure(reason: "receive from \(address):\(port) failed: \(String(cString: strerror(errno)))")
            }
            response.append(contentsOf: buffer[0..<count])
            if response.count > 1 << 20 { break }
        }
        return try parse(response)
    }

    private static func parse(_ bytes: [UInt8]) throws -> Response {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = bytes.firstRange(of: separator) else {
            throw Failure(reason: "incomplete HTTP response (\(bytes.count) bytes)")
        }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw Failure(reason: "bad status line \"\(lines[0])\"")
        }
        var body = Array(bytes[end.upperBound...])
        let headers = lines.dropFirst().map { $0.lowercased() }
        if let length = headers.first(where: { $0.hasPrefix("content-length:") }),
            let count = Int(length.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        {
            body = Array(body.prefix(count))
        } else if headers.contains(where: { $0.hasPrefix("transfer-encoding:") && $0.contains("chunked") }) {
            body = dechunk(body)
        }
        return Response(status: status, body: String(decoding: body, as: UTF8.self))
    }

    private static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        let crlf = Array("\r\n".utf8)
        while let lineEnd = bytes[index...].firstRange(of: crlf) {
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";")[0], radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            output.append(contentsOf: bytes[start..<min(start + size, bytes.count)])
            index = min(start + size + 2, bytes.count)
        }
        return output
    }

    private static func connect(address: String, port: UInt16, timeout: Double) throws -> Int32 {
        var storage = sockaddr_storage()
        var length: socklen_t
        let family: Int32
        let bare = address.hasPrefix("[") ? String(address.dropFirst().dropLast()) : address
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET, bare, &v4.sin_addr) == 1 {
            family = AF_INET
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeBytes(of: &v4) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
        } else if inet_pton(AF_INET6, bare, &v6.sin6_addr) == 1 {
            family = AF_INET6
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeBytes(of: &v6) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
        } else {
            throw Failure(reason: "\"\(address)\" is not an IP address")
        }
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(reason: "socket() failed: \(String(cString: strerror(errno)))") }
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        let started = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, length) }
        }
        if started != 0 && errno != EINPROGRESS {
            let code = errno
            close(descriptor)
            throw Failure(
                reason: "connect to \(address):\(port) failed: \(String(cString: strerror(code)))",
                isConnectionRefused: code == ECONNREFUSED)
        }
        var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&poller, 1, Int32(timeout * 1000))
        var socketError: Int32 = 0
        var errorLength = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &errorLength)
        guard ready == 1, socketError == 0 else {
            close(descriptor)
            let reason = ready == 1 ? String(cString: strerror(socketError)) : "timed out after \(timeout)s"
            throw Failure(
                reason: "connect to \(address):\(port) failed: \(reason)",
                isConnectionRefused: ready == 1 && socketError == ECONNREFUSED)
        }
        _ = fcntl(descriptor, F_SETFL, flags)
        return descriptor
    }
}
