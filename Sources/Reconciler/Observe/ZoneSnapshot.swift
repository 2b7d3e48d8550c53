import DNS

/// What one managed zone publishes, as read by a DNS provider.
public struct ZoneSnapshot: Sendable {
    public enum Source: String, Sendable, Codable {
        /// A full zone transfer.
        case axfr
        /// Per-name queries after the server refused a transfer: only the vhosts' names.
        case queries
        /// The zone's master file.
        case zoneFile = "zone-file"
    }

    public let zone: DNSName
    public let serial: UInt32
    public let source: Source
    /// For `zoneFile`: the file's SHA-256, a precondition of edits.
    public let digest: String?
    private let byName: [DNSName: [ResourceRecord]]

    public init(zone: DNSName, serial: UInt32, source: Source, digest: String? = nil, records: [ResourceRecord]) {
        self.zone = zone
        self.serial = serial
        self.source = source
        self.digest = digest
        var byName: [DNSName: [ResourceRecord]] = [:]
        for record in records {
            byName[record.name, default: []].append(record)
        }
        self.byName = byName
    }

    /// Records of `type` owned by `name`.
    public func records(_ name: DNSName, _ type: RecordType) -> [ResourceRecord] {
        (byName[name] ?? []).filter { $0.type == type }
    }

    /// Every name with records, for finding unmanaged names.
    public var names: Dictionary<DNSName, [ResourceRecord]>.Keys { byName.keys }
}

/// What every managed zone publishes.
public struct DNSObservation: Sendable {
    public var zones: [DNSName: ZoneSnapshot]
    public init(zones: [DNSName: ZoneSnapshot]) { self.zones = zones }

    /// The snapshot of the managed zone containing `name`, if observed.
    public func zone(containing name: DNSName) -> ZoneSnapshot? {
        zones.values.filter { name.isSubdomain(of: $0.zone) }.max { $0.zone.wire.count < $1.zone.wire.count }
    }
}
