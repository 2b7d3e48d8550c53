/// A domain name as a sequence of labels (bytes, not Unicode), compared case-insensitively
/// (ASCII only, RFC 4343). Always absolute: the root is the empty label list.
///
/// Stored as one flat array in wire form (length-prefixed labels, no root byte), so a zone
/// of tens of thousands of names costs one allocation per name, and hashing and comparison
/// lowercase on the fly without allocating.
public struct DNSName: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Length-prefixed labels in their original case, without the root byte.
    public let wire: [UInt8]

    /// Maximum wire length of a name including length bytes and the root (RFC 1035 §2.3.4).
    public static let maxWireLength = 255
    public static let maxLabelLength = 63
    public static let root = DNSName(wire: [])

    private init(wire: [UInt8]) { self.wire = wire }

    public init(uncheckedLabels labels: [[UInt8]]) {
        var wire: [UInt8] = []
        wire.reserveCapacity(labels.reduce(0) { $0 + 1 + $1.count })
        for label in labels {
            wire.append(UInt8(truncatingIfNeeded: label.count))
            wire.append(contentsOf: label)
        }
        self.wire = wire
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
        // Built as bytes in one buffer: names are rendered once per record and finding.
        var out: [UInt8] = []
        out.reserveCapacity(wire.count + 1)
        var i = 0
        while i < wire.count {
            let end = min(wire.count, i + 1 + Int(wire[i]))
            for b in wire[(i + 1)..<end] {
                switch b {
                case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: ";"),
                    UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                    out.append(UInt8(ascii: "\\"))
                    out.append(b)
                case 0x21...0x7E:
                    out.append(b)
                default:
                    out += [UInt8(ascii: "\\"), 48 + b / 100, 48 + b / 10 % 10, 48 + b % 10]
                }
            }
            out.append(UInt8(ascii: "."))
            i = end
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        guard lhs.wire.count == rhs.wire.count else { return false }
        var i = 0
        while i < lhs.wire.count {
            if lower(lhs.wire[i]) != lower(rhs.wire[i]) { return false }
            i += 1
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(wire.count)
        // The lowercased bytes in one call (most names have no capitals to fold).
        if wire.contains(where: { $0 >= 65 && $0 <= 90 }) {
            wire.map(Self.lower).withUnsafeBytes { hasher.combine(bytes: $0) }
        } else {
            wire.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
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
