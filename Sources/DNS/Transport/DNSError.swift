import Foundation

/// Everything that can go wrong talking to a DNS server. Each case says which server and what
/// happened, in a sentence an operator can act on. None of them means "no records": callers
/// must not plan changes on an answer they did not get.
public enum DNSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No answer within the per-request timeout, after every retry.
    case timeout(server: DNSServerAddress, elapsed: Duration, attempts: Int)
    /// The connection could not be opened or broke (TCP), or the server's host reported the
    /// port unreachable (UDP).
    case connectionFailed(server: DNSServerAddress, reason: String)
    /// The server answered REFUSED (not authoritative for / not allowing this request).
    case refused(server: DNSServerAddress, request: String)
    /// The server answered NOTAUTH without a TSIG error: it is not authoritative for the zone
    /// or does not allow this key to act on it.
    case notAuth(server: DNSServerAddress, zone: DNSName)
    /// The server could not verify our signature (TSIG BADSIG): wrong secret.
    case badSignature(server: DNSServerAddress, key: DNSName)
    /// The server does not know the key or its algorithm (TSIG BADKEY).
    case badKey(server: DNSServerAddress, key: DNSName)
    /// Our clock and the server's differ by more than the fudge (TSIG BADTIME).
    case badTime(server: DNSServerAddress, key: DNSName)
    /// A signed request got a response that is not signed, or signed badly.
    case responseSignatureInvalid(server: DNSServerAddress, key: DNSName, reason: String)
    /// An UPDATE prerequisite did not hold: someone else changed the record set since it was
    /// read. `applied` of `total` messages had already been applied.
    case prerequisiteFailed(server: DNSServerAddress, zone: DNSName, rcode: DNSResponseCode, applied: Int, total: Int)
    /// UPDATE message `message` of `total` for `zone` got no answer (timeout, or the connection
    /// broke): the messages before it were applied; whether this one was is unknown.
    case updateUnanswered(server: DNSServerAddress, zone: DNSName, message: Int, total: Int, cause: String)
    /// SERVFAIL.
    case serverFailure(server: DNSServerAddress, request: String)
    /// Any other non-success response code.
    case unexpectedResponseCode(server: DNSServerAddress, rcode: DNSResponseCode, request: String)
    /// The response could not be decoded.
    case malformedResponse(server: DNSServerAddress, DNSWireError)
    /// The response does not belong to the request (ID, question or opcode differ).
    case mismatchedResponse(server: DNSServerAddress, reason: String)
    /// A zone transfer that did not start or end with the zone's SOA, or was cut short.
    case transferIncomplete(server: DNSServerAddress, zone: DNSName, reason: String)
    /// A zone transfer went past one of its bounds (records, bytes, the overall deadline);
    /// `limit` names the bound and the desired-state setting that raises it.
    case transferLimitExceeded(server: DNSServerAddress, zone: DNSName, limit: String)
    /// The server address is not an IP literal.
    case invalidServerAddress(String)
    /// A TSIG key (file) that could not be used.
    case invalidKey(source: String, reason: String)
    /// A single change too large for one DNS message.
    case messageTooLarge(size: Int)

    public var description: String {
        switch self {
        case .timeout(let server, let elapsed, let attempts):
            "DNS server \(server) did not answer: timed out after \(Self.seconds(elapsed)) (\(attempts) attempt\(attempts == 1 ? "" : "s")); check that it is running and reachable"
        case .connectionFailed(let server, let reason):
            "could not talk to DNS server \(server): \(reason)"
        case .refused(let server, let request):
            "DNS server \(server) refused \(request); check that it serves this zone and allows this client (allow-query / allow-transfer / allow-update)"
        case .notAuth(let server, let zone):
            "DNS server \(server) is not authoritative for zone \(zone) or does not allow this key on it (NOTAUTH)"
        case .badSignature(let server, let key):
            "DNS server \(server) rejected the signature of TSIG key \(key) (BADSIG): the secret does not match the server's"
        case .badKey(let server, let key):
            "DNS server \(server) does not know TSIG key \(key) with this algorithm (BADKEY)"
        case .badTime(let server, let key):
            "DNS server \(server) rejected TSIG key \(key) because the clocks differ by more than the allowed fudge (BADTIME); check NTP"
        case .responseSignatureInvalid(let server, let key, let reason):
            "response from DNS server \(server) failed TSIG verification with key \(key): \(reason)"
        case .prerequisiteFailed(let server, let zone, let rcode, let applied, let total):
            "prerequisite failed (\(rcode)) on DNS server \(server) for zone \(zone): someone changed the record set since it was read; run plan again (\(applied) of \(total) update messages had been applied)"
        case .updateUnanswered(_, let zone, let message, let total, let cause):
            "update message \(message) of \(total) for zone \(zone) got no answer: \(cause); "
                + (message == 1 ? "" : "the \(message - 1) before it were applied; ")
                + "the server may have applied this one before it failed (each message is all or nothing): run `reconcile plan` to see what is left"
        case .serverFailure(let server, let request):
            "DNS server \(server) failed to answer \(request) (SERVFAIL); check its logs and the zone"
        case .unexpectedResponseCode(let server, let rcode, let request):
            "DNS server \(server) answered \(request) with \(rcode)"
        case .malformedResponse(let server, let error):
            "malformed response from DNS server \(server): \(error)"
        case .mismatchedResponse(let server, let reason):
            "response from DNS server \(server) does not match the request: \(reason)"
        case .transferIncomplete(let server, let zone, let reason):
            "zone transfer of \(zone) from DNS server \(server) is incomplete: \(reason)"
        case .transferLimitExceeded(let server, let zone, let limit):
            "zone transfer of \(zone) from DNS server \(server) stopped: it went past \(limit); raise the limit in the desired state if the zone really is that large"
        case .invalidServerAddress(let text):
            "DNS server address \"\(text)\" is not an IPv4 or IPv6 literal"
        case .invalidKey(let source, let reason):
            "TSIG key \(source): \(reason)"
        case .messageTooLarge(let size):
            "a DNS message of \(size) bytes exceeds the 65,535-byte limit; split the change"
        }
    }

    static func seconds(_ d: Duration) -> String {
        let value = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return String(format: "%.3fs", value)
    }
}
