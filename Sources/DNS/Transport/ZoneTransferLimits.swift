/// Bounds on one zone transfer, so a server that never stops sending (or sends a zone far
/// larger than any managed here) ends the transfer with an error instead of exhausting
/// memory or running forever (DESIGN §12). The idle timeout between messages is the
/// client's ``DNSClient/timeout``; this deadline bounds the whole transfer besides it.
public struct ZoneTransferLimits: Sendable, Hashable {
    /// Most records accepted (the closing SOA not counted).
    public var maxRecords: Int
    /// Most bytes of DNS messages accepted (without the 2-byte length prefixes).
    public var maxBytes: Int
    /// Longest the whole transfer may take, from connecting to the closing SOA.
    public var deadline: Duration

    public static let defaultMaxRecords = 5_000_000
    public static let defaultMaxBytes = 1 << 30
    public static let defaultDeadline = Duration.seconds(300)

    public init(
        maxRecords: Int = defaultMaxRecords, maxBytes: Int = defaultMaxBytes, deadline: Duration = defaultDeadline
    ) {
        self.maxRecords = maxRecords
        self.maxBytes = maxBytes
        self.deadline = deadline
    }
}
