/// What an UPDATE requires of the zone before any of its changes apply (RFC 2136 §2.4). A
/// failed prerequisite means the zone is not as it was read: the update is rejected whole.
public enum UpdatePrerequisite: Hashable, Sendable {
    /// The RRset exists with exactly these values (value-dependent, §2.4.2). An empty list
    /// means the RRset must not exist.
    case rrsetEquals(name: DNSName, type: RecordType, values: [RData])
    /// No RRset of this name and type (§2.4.3).
    case rrsetDoesNotExist(name: DNSName, type: RecordType)
    /// The name owns at least one record (§2.4.4).
    case nameInUse(DNSName)
    /// The name owns no record (§2.4.5).
    case nameNotInUse(DNSName)

    /// The records of the prerequisite section that express it.
    var records: [ResourceRecord] {
        switch self {
        case .rrsetEquals(let name, let type, let values):
            if values.isEmpty { return UpdatePrerequisite.rrsetDoesNotExist(name: name, type: type).records }
            return values.map { ResourceRecord(name: name, type: type, rclass: .in, ttl: 0, data: $0) }
        case .rrsetDoesNotExist(let name, let type):
            return [ResourceRecord(name: name, type: type, rclass: .none, ttl: 0, data: .opaque([]))]
        case .nameInUse(let name):
            return [ResourceRecord(name: name, type: .any, rclass: .any, ttl: 0, data: .opaque([]))]
        case .nameNotInUse(let name):
            return [ResourceRecord(name: name, type: .any, rclass: .none, ttl: 0, data: .opaque([]))]
        }
    }
}
