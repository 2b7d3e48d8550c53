/// A whole zone as read by AXFR: its SOA and every record (the SOA once, not the closing copy).
public struct ZoneTransfer: Hashable, Sendable {
    public var zone: DNSName
    public var soa: SOA
    /// Every record in the order it came.
    public var records: [ResourceRecord] {
        didSet { byOwner = RecordsByOwner(records) }
    }
    /// How many DNS messages the transfer took.
    public var messageCount: Int
    /// ``records`` grouped by owner name (built while the transfer arrived).
    public private(set) var byOwner: RecordsByOwner

    public init(zone: DNSName, soa: SOA, records: [ResourceRecord], messageCount: Int) {
        self.init(zone: zone, soa: soa, records: records, byOwner: RecordsByOwner(records), messageCount: messageCount)
    }

    init(zone: DNSName, soa: SOA, records: [ResourceRecord], byOwner: RecordsByOwner, messageCount: Int) {
        self.zone = zone
        self.soa = soa
        self.records = records
        self.byOwner = byOwner
        self.messageCount = messageCount
    }

    // The grouping is derived from the records, so it takes no part in equality.
    public static func == (lhs: ZoneTransfer, rhs: ZoneTransfer) -> Bool {
        lhs.zone == rhs.zone && lhs.soa == rhs.soa && lhs.records == rhs.records && lhs.messageCount == rhs.messageCount
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(zone)
        hasher.combine(soa)
        hasher.combine(records)
        hasher.combine(messageCount)
    }

    /// The zone's serial number.
    public var serial: UInt32 { soa.serial }
}
