/// A whole zone as read by AXFR: its SOA and every record (the SOA once, not the closing copy).
public struct ZoneTransfer: Hashable, Sendable {
    public var zone: DNSName
    public var soa: SOA
    public var records: [ResourceRecord]
    /// How many DNS messages the transfer took.
    public var messageCount: Int

    public init(zone: DNSName, soa: SOA, records: [ResourceRecord], messageCount: Int) {
        self.zone = zone
        self.soa = soa
        self.records = records
        self.messageCount = messageCount
    }

    /// The zone's serial number.
    public var serial: UInt32 { soa.serial }
}
