/// What makes two records the same record for a delete: everything but the TTL
/// (RFC 2136 §2.5.4 deletes by name, type and data too).
struct ZoneFileRecordIdentity: Hashable {
    let name: DNSName
    let type: RecordType
    let rclass: RecordClass
    let data: RData

    init(_ record: ResourceRecord) {
        name = record.name
        type = record.type
        rclass = record.rclass
        data = record.data
    }
}
