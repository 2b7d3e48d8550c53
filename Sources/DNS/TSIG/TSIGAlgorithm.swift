import Crypto

/// The HMAC algorithms reconcile signs with (RFC 8945 §6).
public enum TSIGAlgorithm: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case hmacSHA256 = "hmac-sha256"
    case hmacSHA512 = "hmac-sha512"

    /// The algorithm's domain name as it appears in the TSIG record.
    public var name: DNSName { DNSName(uncheckedLabels: [Array(rawValue.utf8)]) }

    public var description: String { rawValue }

    /// Length of a full MAC.
    var macLength: Int {
        switch self {
        case .hmacSHA256: 32
        case .hmacSHA512: 64
        }
    }

    /// Accepts the name with or without trailing dot, any case.
    public init?(name text: String) {
        var t = text.lowercased()
        if t.hasSuffix(".") { t.removeLast() }
        self.init(rawValue: t)
    }

    func mac(_ data: [UInt8], secret: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: secret)
        switch self {
        case .hmacSHA256: return Array(HMAC<SHA256>.authenticationCode(for: data, using: key))
        case .hmacSHA512: return Array(HMAC<SHA512>.authenticationCode(for: data, using: key))
        }
    }
}
