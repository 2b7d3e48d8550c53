/// One change of the update section (RFC 2136 §2.5).
public enum UpdateOperation: Hashable, Sendable {
    /// Add a record to its RRset (§2.5.1).
    case add(ResourceRecord)
    /// Delete the whole RRset of this name and type (§2.5.2).
    case deleteRRset(name: DNSName, type: RecordType)
    /// Delete all RRsets of a name (§2.5.3).
    case deleteName(DNSName)
    /// Delete one record, matched by value (§2.5.4).
    case deleteRecord(name: DNSName, type: RecordType, data: RData)

    /// The record of the update section that expresses it.
    var record: ResourceRecord {
        switch self {
        case .add(let record):
            var r = record
            r.rclass = .in
            return r
        case .deleteRRset(let name, let type):
            return ResourceRecord(name: name, type: type, rclass: .any, ttl: 0, data: .opaque([]))
        case .deleteName(let name):
            return ResourceRecord(name: name, type: .any, rclass: .any, ttl: 0, data: .opaque([]))
        case .deleteRecord(let name, let type, let data):
            return ResourceRecord(name: name, type: type, rclass: .none, ttl: 0, data: data)
        }
    }
}
