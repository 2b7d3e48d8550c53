/// The host names a server certificate is valid for, and the RFC 6125 rule deciding whether it
/// covers a vhost. Kept apart from TLS so the rule is a pure, testable function.
public struct CertificateNames: Sendable, Hashable {
    /// `dNSName` entries of the subject alternative name extension, lowercased.
    public var dnsNames: [String]
    /// The subject common name, used only when there are no DNS names (as TLS libraries do).
    public var commonName: String?

    /// Names as found in a certificate; they are lowercased here.
    public init(dnsNames: [String], commonName: String?) {
        self.dnsNames = dnsNames.map { $0.lowercased() }
        self.commonName = commonName?.lowercased()
    }

    /// The names that count: the DNS names, else the common name.
    public var effectiveNames: [String] {
        if !dnsNames.isEmpty { return dnsNames }
        return commonName.map { [$0] } ?? []
    }

    /// Whether any effective name matches `host` exactly or as a wildcard (`*.example.social`
    /// covers `media.example.social` but neither `example.social` nor `a.b.example.social`).
    public func covers(_ host: String) -> Bool {
        let host = Self.normalized(host)
        return effectiveNames.contains { Self.matches(pattern: Self.normalized($0), host: host) }
    }

    static func normalized(_ name: String) -> String {
        let lower = name.lowercased()
        return lower.hasSuffix(".") ? String(lower.dropLast()) : lower
    }

    static func matches(pattern: String, host: String) -> Bool {
        if pattern == host { return true }
        guard pattern.hasPrefix("*.") else { return false }
        let suffix = pattern.dropFirst()  // ".example.social"
        // A wildcard over a single label (`*.com`) is never honoured.
        guard suffix.dropFirst().contains("."), host.hasSuffix(suffix) else { return false }
        let label = host.dropLast(suffix.count)
        return !label.isEmpty && !label.contains(".")
    }
}
