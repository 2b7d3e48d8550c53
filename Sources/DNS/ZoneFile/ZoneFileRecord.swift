/// A record read from a zone file, with where its entry is.
public struct ZoneFileRecord: Hashable, Sendable {
    public let record: ResourceRecord
    public let location: ZoneFileLocation

    public init(record: ResourceRecord, location: ZoneFileLocation) {
        self.record = record
        self.location = location
    }
}
