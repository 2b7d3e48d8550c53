/// What makes two records the same record for a delete: everything but the TTL
/// (RFC 2136 §2.5.4 deletes by name, type and data too).
struct ZoneFileRecordIdentity: Hashable {
    let name: ZoneFileNameKey
    let type: RecordType
    let rclass: RecordClass
    let data: RData

    init(_ record: ResourceRecord) {
        name = ZoneFileNameKey(record.name)
        type = record.type
        rclass = record.rclass
        data = record.data
    }

    /// Whether `lhs` and `rhs` are the same record including the TTL, comparing names
    /// without allocating.
    static func identical(_ lhs: ResourceRecord, _ rhs: ResourceRecord) -> Bool {
        lhs.ttl == rhs.ttl && lhs.type == rhs.type && lhs.rclass == rhs.rclass
            && ZoneFileNameKey.sameName(lhs.name, rhs.name) && lhs.data == rhs.data
    }
}
