/// A record read from a zone file, with where its entry is.
public struct ZoneFileRecord: Hashable, Sendable {
    /// The record, its name absolute and its TTL resolved.
    public let record: ResourceRecord
    /// Where its entry is in the file.
    public let location: ZoneFileLocation

    /// A record and where it was read.
    public init(record: ResourceRecord, location: ZoneFileLocation) {
        self.record = record
        self.location = location
    }
}
