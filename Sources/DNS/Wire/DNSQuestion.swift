/// One entry of the question section; in an UPDATE it names the zone (RFC 2136 §2.3).
public struct DNSQuestion: Hashable, Sendable {
    public var name: DNSName
    public var type: RecordType
    public var rclass: RecordClass
    public init(name: DNSName, type: RecordType, rclass: RecordClass = .in) {
        self.name = name
        self.type = type
        self.rclass = rclass
    }
}
