/// A name as a dictionary key that hashes and compares case-insensitively without building
/// lowercased copies of its labels: editing a large zone looks up every owner.
struct ZoneFileNameKey: Hashable {
    let name: DNSName

    init(_ name: DNSName) { self.name = name }

    static func == (lhs: ZoneFileNameKey, rhs: ZoneFileNameKey) -> Bool {
        sameName(lhs.name, rhs.name)
    }

    func hash(into hasher: inout Hasher) {
        name.hash(into: &hasher)
    }

    /// Equality of names ignoring ASCII case (RFC 4343); `DNSName ==` no longer allocates.
    static func sameName(_ lhs: DNSName, _ rhs: DNSName) -> Bool {
        lhs == rhs
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }
}
