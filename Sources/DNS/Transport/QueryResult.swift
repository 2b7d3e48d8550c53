/// A successful answer to a query: NOERROR (possibly with no records: NODATA) or NXDOMAIN.
/// Failures (timeouts, SERVFAIL, REFUSED, ...) are thrown as ``DNSError`` instead.
public struct QueryResult: Hashable, Sendable {
    public var rcode: DNSResponseCode
    /// The answer section as received (may include a CNAME chain).
    public var answers: [ResourceRecord]
    public var authority: [ResourceRecord]
    /// The server is authoritative for the answer (AA bit).
    public var authoritative: Bool
    /// The answer arrived over TCP after a truncated UDP response.
    public var usedTCP: Bool

    public init(
        rcode: DNSResponseCode, answers: [ResourceRecord], authority: [ResourceRecord] = [],
        authoritative: Bool = false, usedTCP: Bool = false
    ) {
        self.rcode = rcode
        self.answers = answers
        self.authority = authority
        self.authoritative = authoritative
        self.usedTCP = usedTCP
    }

    /// The name does not exist.
    public var isNXDomain: Bool { rcode == .nxDomain }

    /// The name exists but owns no record of the asked type (and is not an alias).
    public var isNoData: Bool { rcode == .noError && answers.isEmpty }

    /// The answer records of `type` owned by `name`.
    public func records(_ type: RecordType, of name: DNSName) -> [ResourceRecord] {
        answers.filter { $0.type == type && $0.name == name }
    }
}
