import Foundation

/// Why a vhost could not be reached over one family and port, in words an operator can act on.
public enum ProbeFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing listens on the address and port (TCP RST).
    case connectionRefused
    /// The step did not finish within the probe's time bound (packets dropped, server stuck).
    case timedOut(after: Duration, stage: ProbeStage)
    /// The connection failed for another reason the kernel gave (`network is unreachable`, ...).
    case connectionFailed(String)
    /// The certificate chain is fine but names none of the vhost's names: the request landed on
    /// another server block's certificate.
    case certificateNameMismatch(name: String, covers: [String])
    /// The TLS handshake failed: untrusted or expired certificate, protocol mismatch, ...
    case tlsHandshakeFailed(String)
    /// The trust store given with `caFile` could not be loaded.
    case trustStoreUnusable(path: String, reason: String)
    /// The connection was made but no HTTP status line came back.
    case noResponse(String)
    /// The target's address is not an IP literal.
    case invalidAddress(String)
    /// nginx answered `400 Bad Request` to a well-formed `GET /`; over plain HTTP, that is
    /// what it answers on a TLS socket ("The plain HTTP request was sent to HTTPS port"), so no
    /// client gets the site and no certificate was checked.
    case badRequest(overTLS: Bool)

    public var description: String {
        switch self {
        case .connectionRefused:
            return "connection refused"
        case .timedOut(let after, let stage):
            return "timed out after \(Self.seconds(after)) (\(stage.rawValue))"
        case .connectionFailed(let reason):
            return "connection failed: \(reason)"
        case .certificateNameMismatch(let name, let covers):
            let names = covers.isEmpty ? "no host name" : covers.joined(separator: ", ")
            return "certificate does not cover \(name) (it covers \(names))"
        case .tlsHandshakeFailed(let reason):
            return "TLS handshake failed: \(reason)"
        case .trustStoreUnusable(let path, let reason):
            return "cannot use the CA file \(path): \(reason)"
        case .noResponse(let reason):
            return "HTTP error / no response: \(reason)"
        case .invalidAddress(let address):
            return "not an IP address: \(address)"
        case .badRequest(let overTLS):
            return overTLS
                ? "HTTP 400 Bad Request to GET /"
                : "HTTP 400 Bad Request to plain HTTP (what nginx answers on a TLS port: \"The plain HTTP request was sent to HTTPS port\")"
        }
    }

    /// `2.0s`: one decimal is enough to compare with the configured timeout.
    static func seconds(_ duration: Duration) -> String {
        let (whole, attoseconds) = duration.components
        let value = Double(whole) + Double(attoseconds) / 1e18
        return String(format: "%.1fs", value)
    }
}
