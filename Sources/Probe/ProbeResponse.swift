import Digests
import Foundation

/// What a client got from one family: enough to tell whether IPv4 and IPv6 clients reach the
/// same site (DESIGN §8: certificate, status, redirect target, the start of `GET /`).
public struct ProbeResponse: Sendable, Hashable {
    /// How much of the body is compared.
    public static let comparedBodyBytes = 64 * 1024

    /// The HTTP status.
    public var status: Int
    /// The `Location` header of a redirect, as sent.
    public var location: String?
    /// The certificate's subject and issuer (`CN=…, O=…`), on TLS.
    public var certificateSubject: String?
    public var certificateIssuer: String?
    /// SHA-256 (hex) of the first ``comparedBodyBytes`` of the body (chunked framing removed).
    public var bodyDigest: String
    /// How many body bytes the digest covers.
    public var bodyBytes: Int

    public init(
        status: Int, location: String? = nil, certificateSubject: String? = nil, certificateIssuer: String? = nil,
        bodyDigest: String, bodyBytes: Int
    ) {
        self.status = status
        self.location = location
        self.certificateSubject = certificateSubject
        self.certificateIssuer = certificateIssuer
        self.bodyDigest = bodyDigest
        self.bodyBytes = bodyBytes
    }

    /// Parses a response from its first bytes (head and up to ``comparedBodyBytes`` of body).
    /// nil while the head is incomplete.
    static func parse(_ bytes: [UInt8], certificateSubject: String?, certificateIssuer: String?) -> ProbeResponse? {
        guard case .status(let status) = HTTPStatusLine.parse(bytes), let headEnd = headEnd(bytes) else { return nil }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
        var location: String?
        var chunked = false
        for line in head.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "location" { location = value }
            if name == "transfer-encoding" && value.lowercased().contains("chunked") { chunked = true }
        }
        var body = Array(bytes[(headEnd + 4)...])
        if chunked { body = dechunk(body) }
        body = Array(body.prefix(comparedBodyBytes))
        let digest = HexDigest.sha256(body)
        return ProbeResponse(
            status: status, location: location, certificateSubject: certificateSubject,
            certificateIssuer: certificateIssuer, bodyDigest: digest, bodyBytes: body.count)
    }

    /// Where `\r\n\r\n` starts, nil before it arrived.
    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    /// Whether the body is complete: `Content-Length` reached, the last chunk seen, or enough
    /// bytes to compare.
    static func isComplete(_ bytes: [UInt8]) -> Bool {
        guard let headEnd = headEnd(bytes) else { return false }
        let bodyCount = bytes.count - headEnd - 4
        if bodyCount >= comparedBodyBytes { return true }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self).lowercased()
        for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            if let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) {
                return bodyCount >= length
            }
        }
        if head.contains("transfer-encoding: chunked") {
            return bytes.suffix(5) == [48, 13, 10, 13, 10]  // "0\r\n\r\n"
        }
        return false
    }

    /// The data of a chunked body (as much as arrived).
    static func dechunk(_ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < body.count {
            guard let lineEnd = (index..<body.count).first(where: { body[$0] == 10 }) else { break }
            let sizeText =
                String(decoding: body[index..<lineEnd], as: UTF8.self)
                .split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            guard let size = Int(sizeText, radix: 16), size > 0 else { break }
            let start = lineEnd + 1
            let end = min(start + size, body.count)
            out += body[start..<end]
            index = end + 2
        }
        return out
    }
}
