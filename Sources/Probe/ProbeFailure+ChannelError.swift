import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension ProbeFailure {
    /// Names what NIO reported in the probe's words: refused, timed out, TLS, or the errno text.
    init(channelError error: any Error, stage: ProbeStage, timeout: Duration) {
        if let failure = error as? ProbeFailure {
            self = failure
            return
        }
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first {
            self.init(channelError: first.error, stage: stage, timeout: timeout)
            return
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: self = .connectionRefused
            case ETIMEDOUT: self = .timedOut(after: timeout, stage: stage)
            default: self = .connectionFailed(String(cString: strerror(io.errnoCode)))
            }
            return
        }
        if let channel = error as? ChannelError, case .connectTimeout = channel {
            self = .timedOut(after: timeout, stage: .connecting)
            return
        }
        if let ssl = error as? NIOSSLError {
            self = .tlsHandshakeFailed(Self.describe(ssl))
            return
        }
        if let extra = error as? NIOSSLExtraError {
            self = .tlsHandshakeFailed("\(extra)")
            return
        }
        self = stage == .tlsHandshake ? .tlsHandshakeFailed("\(error)") : .connectionFailed("\(error)")
    }

    /// BoringSSL's error stack, reduced to its messages; an untrusted chain gets a hint.
    static func describe(_ error: NIOSSLError) -> String {
        guard case .handshakeFailed(let boring) = error else { return "\(error)" }
        let stack: NIOBoringSSLErrorStack
        switch boring {
        case .sslError(let errors), .unknownError(let errors): stack = errors
        default: return "\(boring)"
        }
        let messages = stack.map { $0.description.replacingOccurrences(of: "Error: ", with: "") }
        let text = messages.isEmpty ? "\(boring)" : messages.joined(separator: "; ")
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "certificate not trusted (\(text)); a private CA is given with --ca-file"
        }
        return text
    }
}
