/// A domain name as a sequence of labels (bytes, not Unicode), compared case-insensitively
/// (ASCII only, RFC 4343). Always absolute: the root is the empty label list.
///
/// Stored as one flat array in wire form (length-prefixed labels, no root byte), so a zone
/// of tens of thousands of names costs one allocation per name. The hash of the lowercased
/// form is computed once, when the name is made: a name is hashed many times (a zone's
/// index, every lookup of a vhost's name), and comparing the hashes first makes most
/// unequal names differ at once.
public struct DNSName: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Length-prefixed labels in their original case, without the root byte.
    public let wire: [UInt8]
    /// ``foldedHash(_:)`` of `wire`.
    private let folded: Int

    /// Maximum wire length of a name including length bytes and the root (RFC 1035 §2.3.4).
    public static let maxWireLength = 255
    public static let maxLabelLength = 63
    public static let root = DNSName(wire: [])

    /// A name from its wire form (length-prefixed labels, no root byte), not checked.
    init(wire: [UInt8]) {
        self.wire = wire
        self.folded = Self.foldedHash(wire)
    }

    public init(uncheckedLabels labels: [[UInt8]]) {
        var wire: [UInt8] = []
        wire.reserveCapacity(labels.reduce(0) { $0 + 1 + $1.count })
        for label in labels {
            wire.append(UInt8(truncatingIfNeeded: label.count))
            wire.append(contentsOf: label)
        }
        self.init(wire: wire)
    }

    /// The lowercased bytes hashed with the process's seeded hasher (so crafted names cannot
    /// collide on purpose), in one call: most names have no capitals to fold.
    private static func foldedHash(_ wire: [UInt8]) -> Int {
        var hasher = Hasher()
        hasher.combine(wire.count)
        wire.withUnsafeBufferPointer { bytes in
            guard bytes.contains(where: { $0 >= 65 && $0 <= 90 }) else {
                hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
                return
            }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { lowered in
                for (i, b) in bytes.enumerated() { lowered[i] = lower(b) }
                hasher.combine(bytes: UnsafeRawBufferPointer(lowered))
            }
        }
        return hasher.finalize()
    }

    /// Labels from left to right, without the root label. Each is 1...63 bytes.
    public var labels: [[UInt8]] {
        var out: [[UInt8]] = []
        var i = 0
        while i < wire.count {
            let length = Int(wire[i])
            out.append(Array(wire[(i + 1)..<min(wire.count, i + 1 + length)]))
            i += 1 + length
        }
        return out
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { (b >= 65 && b <= 90) ? b | 0x20 : b }

    /// Builds a name from labels, checking label and total length.
    public init(labels: [[UInt8]]) throws(DNSNameError) {
        var wire = 1
        for label in labels {
            guard !label.isEmpty else { throw .emptyLabel }
            guard label.count <= Self.maxLabelLength else { throw .labelTooLong(label.count) }
            wire += 1 + label.count
        }
        guard wire <= Self.maxWireLength else { throw .nameTooLong(wire) }
        self.init(uncheckedLabels: labels)
    }

    /// Parses presentation form (`media.example.social.` or relative `media`), with `\.` and
    /// `\DDD` escapes. A name without a trailing dot is made absolute by appending `origin`
    /// (or the root when nil). `@` alone means `origin`.
    public init(_ text: String, origin: DNSName? = nil) throws(DNSNameError) {
        let bytes = Array(text.utf8)
        if bytes == [UInt8(ascii: "@")] {
            guard let origin else { throw .relativeWithoutOrigin(text) }
            self = origin
            return
        }
        if bytes == [UInt8(ascii: ".")] {
            self = .root
            return
        }
        guard !bytes.isEmpty else { throw .emptyLabel }
        var labels: [[UInt8]] = []
        var current: [UInt8] = []
        var i = 0
        var absolute = false
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count else { throw .badEscape(text) }
                let next = bytes[i + 1]
                if next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9") {
                    guard i + 3 < bytes.count else { throw .badEscape(text) }
                    let digits = bytes[(i + 1)...(i + 3)]
                    guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { throw .badEscape(text) }
                    let value = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
                    guard value <= 255 else { throw .badEscape(text) }
                    current.append(UInt8(value))
                    i += 4
                } else {
                    current.append(next)
                    i += 2
                }
                continue
            }
            if b == UInt8(ascii: ".") {
                guard !current.isEmpty else { throw .emptyLabel }
                labels.append(current)
                current = []
                if i == bytes.count - 1 { absolute = true }
                i += 1
                continue
            }
            current.append(b)
            i += 1
        }
        if !current.isEmpty { labels.append(current) }
        if !absolute {
            guard let origin else { throw .relativeWithoutOrigin(text) }
            labels += origin.labels
        }
        try self.init(labels: labels)
    }

    /// Lowercased labels, the canonical form for comparison.
    public var canonicalLabels: [[UInt8]] {
        labels.map { $0.map(Self.lower) }
    }

    /// Wire length including length bytes and the root byte.
    public var wireLength: Int { wire.count + 1 }

    /// True when `self` equals `ancestor` or lies under it.
    public func isSubdomain(of ancestor: DNSName) -> Bool {
        let offset = wire.count - ancestor.wire.count
        guard offset >= 0 else { return false }
        // The suffix must start on a label boundary.
        var i = 0
        while i < offset { i += 1 + Int(wire[i]) }
        guard i == offset else { return false }
        var k = 0
        while k < ancestor.wire.count {
            if Self.lower(wire[offset + k]) != Self.lower(ancestor.wire[k]) { return false }
            k += 1
        }
        return true
    }

    /// Presentation form with a trailing dot, escaping bytes that are not plain.
    public var description: String {
        if wire.isEmpty { return "." }
        // Measured, then written in place: names are rendered once per record and finding.
        var length = 0
        forEachLabelByte { b in length += b.map(Self.escapedWidth) ?? 1 }
        return String(unsafeUninitializedCapacity: length) { out in
            var n = 0
            forEachLabelByte { b in
                guard let b else {
                    out[n] = UInt8(ascii: ".")
                    n += 1
                    return
                }
                switch Self.escapedWidth(b) {
                case 1:
                    out[n] = b
                case 2:
                    out[n] = UInt8(ascii: "\\")
                    out[n + 1] = b
                default:
                    out[n] = UInt8(ascii: "\\")
                    out[n + 1] = 48 + b / 100
                    out[n + 2] = 48 + b / 10 % 10
                    out[n + 3] = 48 + b % 10
                }
                n += Self.escapedWidth(b)
            }
            return n
        }
    }

    /// Calls `body` with each byte of each label, and nil after each label (its dot).
    private func forEachLabelByte(_ body: (UInt8?) -> Void) {
        var i = 0
        while i < wire.count {
            let end = min(wire.count, i + 1 + Int(wire[i]))
            for b in wire[(i + 1)..<end] { body(b) }
            body(nil)
            i = end
        }
    }

    /// How many bytes `b` takes in presentation form: itself, `\` and itself for the
    /// characters that mean something in a zone file, or `\DDD`.
    private static func escapedWidth(_ b: UInt8) -> Int {
        switch b {
        case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: ";"),
            UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "@"), UInt8(ascii: "$"):
            2
        case 0x21...0x7E: 1
        default: 4
        }
    }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        guard lhs.folded == rhs.folded, lhs.wire.count == rhs.wire.count else { return false }
        return lhs.wire.withUnsafeBufferPointer { l in
            rhs.wire.withUnsafeBufferPointer { r in
                // Names decoded from one message often share their storage.
                if l.baseAddress == r.baseAddress { return true }
                var i = 0
                while i < l.count {
                    if l[i] != r[i] && lower(l[i]) != lower(r[i]) { return false }
                    i += 1
                }
                return true
            }
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(folded)
    }

    /// What a dictionary or set asks for: the stored hash, already seeded per process, mixed
    /// with the table's own seed without running a hasher per lookup and per rehash. The mix
    /// (MurmurHash3's finalizer) lets every bit of the seed reach the low bits a table uses,
    /// so two tables with different seeds place names independently, as the standard
    /// library's per-table seeding intends (copying a large table into a small one stays
    /// linear).
    public func _rawHashValue(seed: Int) -> Int {
        var k = UInt64(bitPattern: Int64(folded ^ seed))
        k ^= k >> 33
        k &*= 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k &*= 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return Int(truncatingIfNeeded: k)
    }

    /// Canonical DNS ordering (RFC 4034 §6.1): by labels from the right, bytewise, lowercased.
    public static func < (lhs: DNSName, rhs: DNSName) -> Bool {
        let l = Array(lhs.canonicalLabels.reversed())
        let r = Array(rhs.canonicalLabels.reversed())
        for (a, b) in zip(l, r) where a != b {
            return a.lexicographicallyPrecedes(b)
        }
        return l.count < r.count
    }
}

public enum DNSNameError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyLabel
    case labelTooLong(Int)
    case nameTooLong(Int)
    case badEscape(String)
    case relativeWithoutOrigin(String)

    public var description: String {
        switch self {
        case .emptyLabel: "empty label in domain name"
        case .labelTooLong(let n): "label of \(n) bytes (at most 63 allowed)"
        case .nameTooLong(let n): "name of \(n) bytes on the wire (at most 255 allowed)"
        case .badEscape(let t): "bad escape in domain name \"\(t)\""
        case .relativeWithoutOrigin(let t): "relative name \"\(t)\" with no origin"
        }
    }
}
