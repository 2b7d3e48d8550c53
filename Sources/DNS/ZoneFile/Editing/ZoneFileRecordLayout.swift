/// How a record's entry is written, as far as editing needs to know: which fields it leaves
/// to be carried forward from the entries before it, and where fields could be inserted.
struct ZoneFileRecordLayout: Sendable {
    /// The entry starts with a blank, so its owner is the previous record's.
    let ownerOmitted: Bool
    /// The entry gives no TTL and no default TTL is in effect, so its TTL is the previous
    /// record's (RFC 1035 semantics).
    let inheritsPreviousTTL: Bool
    /// Offset of the first token after the owner: where a TTL can be inserted.
    let fieldsStart: Int
    /// The origin in effect at the entry, to write an owner relative to it.
    let origin: DNSName
    /// For the SOA record, the bytes of its serial.
    let serialRange: Range<Int>?
}
