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
    /// How it was read, for the output: `AXFR from [::1]:53, signed`, `queries to
    /// 127.0.0.1:53 (transfer refused: REFUSED)`.
    public let read: String?
    /// The records by owner name, in one object so that a snapshot is cheap to copy.
    private let index: RecordsByOwner

    public init(
        zone: DNSName, serial: UInt32, source: Source, digest: String? = nil, records: [ResourceRecord],
        read: String? = nil
    ) {
        self.init(
            zone: zone, serial: serial, source: source, digest: digest, index: RecordsByOwner(records), read: read)
    }

    /// A snapshot of records already grouped by owner (as a zone transfer groups them while
    /// they arrive).
    init(zone: DNSName, serial: UInt32, source: Source, digest: String? = nil, index: RecordsByOwner, read: String?) {
        self.zone = zone
        self.serial = serial
        self.source = source
        self.digest = digest
        self.read = read
        self.index = index
    }

    /// Records of `type` owned by `name`.
    public func records(_ name: DNSName, _ type: RecordType) -> [ResourceRecord] {
        records(at: name).filter { $0.type == type }
    }

    /// Every record owned by `name`, of any type.
    func records(at name: DNSName) -> ArraySlice<ResourceRecord> { index.records(at: name) }

    /// The values of the `type` records at `name` in presentation form, sorted: what two
    /// servers are compared on.
    public func values(_ name: DNSName, _ type: RecordType) -> [String] {
        records(name, type).map { $0.data.presentation(as: type) }.sorted()
    }

    /// Every record, name by name (no order promised).
    public var allRecords: [ResourceRecord] { index.grouped }
}

/// What every managed zone publishes.
public struct DNSObservation: Sendable {
    public var zones: [DNSName: ZoneSnapshot]
    /// What each zone's authoritative servers publish, where they were asked (DESIGN §14).
    public var nameservers: [DNSName: NameserverReport]
    public init(zones: [DNSName: ZoneSnapshot], nameservers: [DNSName: NameserverReport] = [:]) {
        self.zones = zones
        self.nameservers = nameservers
    }

    /// The snapshot of the managed zone containing `name`, if observed.
    public func zone(containing name: DNSName) -> ZoneSnapshot? {
        var best: ZoneSnapshot?
        for snapshot in zones.values where name.isSubdomain(of: snapshot.zone) {
            if best.map({ snapshot.zone.wire.count > $0.zone.wire.count }) ?? true { best = snapshot }
        }
        return best
    }

    /// What a name resolves to inside the managed zones.
    public enum Resolution: Sendable {
        /// The A and AAAA records at the name, or at the end of an in-zone CNAME chain
        /// (`chain` lists the CNAMEs followed, as zone lines joined by " -> ").
        case records([ResourceRecord], [ResourceRecord], chain: String?)
        /// A CNAME leaves the managed zones (or the chain is longer than 8); the CNAMEs seen.
        case external([String])
    }

    /// Follows CNAMEs while they stay inside the managed zones, at most 8, so a loop ends.
    /// Each name is looked up once: its zone, then its records, split by type. A target
    /// outside the managed zones ends the walk at the next step's zone lookup.
    public func resolve(_ name: DNSName) -> Resolution {
        var current = name
        var chain: [String] = []
        for _ in 0..<8 {
            guard let zone = zone(containing: current) else { return .external(chain) }
            let owned = zone.records(at: current)
            if let cname = owned.first(where: { $0.type == .cname }), case .cname(let target) = cname.data {
                chain.append(cname.presentation)
                current = target
                continue
            }
            return .records(
                owned.filter { $0.type == .a }, owned.filter { $0.type == .aaaa },
                chain: chain.isEmpty ? nil : chain.joined(separator: " -> "))
        }
        return .external(chain)
    }
}
