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

    /// BoringSSL's error stack in the operator's words: what failed and why, one phrase, no
    /// library internals (codes, source paths). An untrusted chain gets a hint; the prober
    /// says which way it is untrusted (expired, self-signed, unknown issuer) when it can see it.
    static func describe(_ error: NIOSSLError) -> String {
        guard case .handshakeFailed(let boring) = error else { return "\(error)" }
        let stack: NIOBoringSSLErrorStack
        switch boring {
        case .sslError(let errors), .unknownError(let errors): stack = errors
        default: return "\(boring)"
        }
        let reasons = stack.map { reasonCode(in: $0.description) }
        return reasons.lazy.compactMap(explain).first
            ?? reasons.first.map { $0.lowercased().replacingOccurrences(of: "_", with: " ") }
            ?? "the handshake failed"
    }

    /// `CERTIFICATE_VERIFY_FAILED` out of `Error: 268435581 error:1000007d:SSL
    /// routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at /…/handshake.cc:320`.
    static func reasonCode(in description: String) -> String {
        let message = description.components(separatedBy: " at ").first ?? description
        return message.split(separator: ":").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? message
    }

    /// The reasons an operator meets, said as what to check.
    static func explain(_ reason: String) -> String? {
        switch reason {
        case "CERTIFICATE_VERIFY_FAILED":
            return "certificate not trusted; a private CA is given with --ca-file"
        case "WRONG_VERSION_NUMBER", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG", "RECORD_TOO_LARGE":
            return "protocol mismatch: the server did not answer in TLS (is the port plain HTTP?)"
        case "TLSV1_ALERT_PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL", "NO_SUPPORTED_VERSIONS_ENABLED":
            return "protocol mismatch: no TLS version both sides accept"
        case "SSLV3_ALERT_HANDSHAKE_FAILURE", "NO_SHARED_CIPHER", "HANDSHAKE_FAILURE_ON_CLIENT_HELLO",
            "NO_CIPHERS_AVAILABLE":
            return "the server refused the handshake (no cipher or certificate in common)"
        case "TLSV1_ALERT_UNRECOGNIZED_NAME":
            return "the server has no certificate for this name"
        case "TLSV1_ALERT_INTERNAL_ERROR":
            return "the server failed the handshake (see its error log)"
        default:
            return nil
        }
    }
}
