/// A name as a dictionary key that hashes and compares case-insensitively without building
/// lowercased copies of its labels: editing a large zone looks up every owner.
struct ZoneFileNameKey: Hashable {
    let name: DNSName

    init(_ name: DNSName) { self.name = name }

    static func == (lhs: ZoneFileNameKey, rhs: ZoneFileNameKey) -> Bool {
        sameName(lhs.name, rhs.name)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(name.labels.count)
        for label in name.labels {
            hasher.combine(label.count)
            for byte in label { hasher.combine(Self.lowercased(byte)) }
        }
    }

    /// Equality of names ignoring ASCII case (RFC 4343), as `DNSName ==` but allocation-free.
    static func sameName(_ lhs: DNSName, _ rhs: DNSName) -> Bool {
        guard lhs.labels.count == rhs.labels.count else { return false }
        for (left, right) in zip(lhs.labels, rhs.labels) {
            guard left.count == right.count else { return false }
            for (a, b) in zip(left, right) where a != b && lowercased(a) != lowercased(b) {
                return false
            }
        }
        return true
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }
}
