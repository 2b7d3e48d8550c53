/// A record type code (RFC 1035 §3.2.2 and later RFCs). Unknown codes are kept as numbers.
public struct RecordType: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = RecordType(rawValue: 1)
    public static let ns = RecordType(rawValue: 2)
    public static let cname = RecordType(rawValue: 5)
    public static let soa = RecordType(rawValue: 6)
    public static let ptr = RecordType(rawValue: 12)
    public static let mx = RecordType(rawValue: 15)
    public static let txt = RecordType(rawValue: 16)
    public static let aaaa = RecordType(rawValue: 28)
    public static let opt = RecordType(rawValue: 41)
    public static let tsig = RecordType(rawValue: 250)
    public static let ixfr = RecordType(rawValue: 251)
    public static let axfr = RecordType(rawValue: 252)
    public static let any = RecordType(rawValue: 255)

    static let names: [UInt16: String] = [
        1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA",
        41: "OPT", 250: "TSIG", 251: "IXFR", 252: "AXFR", 255: "ANY",
    ]

    /// Mnemonic (`AAAA`) or RFC 3597 form (`TYPE65534`).
    public var description: String { Self.names[rawValue] ?? "TYPE\(rawValue)" }

    /// Parses a mnemonic or `TYPEnnn`, case-insensitively.
    public init?(mnemonic: String) {
        let upper = mnemonic.uppercased()
        if let code = Self.names.first(where: { $0.value == upper })?.key {
            self.init(rawValue: code)
        } else if upper.hasPrefix("TYPE"), let code = UInt16(upper.dropFirst(4)) {
            self.init(rawValue: code)
        } else {
            return nil
        }
    }

    public static func < (l: RecordType, r: RecordType) -> Bool { l.rawValue < r.rawValue }
}

/// A record class. `NONE` and `ANY` carry meaning in UPDATE messages (RFC 2136 §2.4, §2.5).
public struct RecordClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let `in` = RecordClass(rawValue: 1)
    public static let none = RecordClass(rawValue: 254)
    public static let any = RecordClass(rawValue: 255)
    public var description: String {
        switch rawValue {
        case 1: "IN"
        case 3: "CH"
        case 254: "NONE"
        case 255: "ANY"
        default: "CLASS\(rawValue)"
        }
    }
}

/// The data of a record, typed for the types reconcile reasons about and opaque (RFC 3597)
/// for the rest.
public enum RData: Hashable, Sendable {
    /// 4 bytes, network order.
    case a(IPv4Bytes)
    /// 16 bytes, network order.
    case aaaa(IPv6Bytes)
    case cname(DNSName)
    case ns(DNSName)
    /// Boxed: the SOA is one record a zone, and inline it would make every record twice as
    /// large.
    indirect case soa(SOA)
    /// Character-strings, each at most 255 bytes.
    case txt([[UInt8]])
    /// Any other type: the raw RDATA bytes (also used for empty RDATA in UPDATE deletes).
    case opaque([UInt8])
}

/// SOA fields (RFC 1035 §3.3.13).
public struct SOA: Hashable, Sendable {
    public var mname: DNSName
    public var rname: DNSName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimum: UInt32
    public init(
        mname: DNSName, rname: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32,
        expire: UInt32, minimum: UInt32
    ) {
        self.mname = mname
        self.rname = rname
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}

/// An IPv4 address as its 4 bytes.
public struct IPv4Bytes: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The bytes in network order, held as one number so an address costs no allocation.
    let value: UInt32
    public var bytes: [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
    init(value: UInt32) { self.value = value }
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == 4 else { return nil }
        self.value = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }
    /// Strict dotted-quad: four decimal octets 0-255, no leading zeros, nothing else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part == "0" || !part.hasPrefix("0"), let v = UInt8(part)
            else { return nil }
            out.append(v)
        }
        self.value = out.reduce(0) { $0 << 8 | UInt32($1) }
    }
    /// Written in place (at most 15 bytes, so the string needs no allocation).
    public var description: String {
        String(unsafeUninitializedCapacity: 15) { out in
            var n = 0
            for i in 0..<4 {
                let b = UInt8(truncatingIfNeeded: value >> (24 - 8 * i))
                if i > 0 {
                    out[n] = UInt8(ascii: ".")
                    n += 1
                }
                if b >= 100 {
                    out[n] = 48 + b / 100
                    n += 1
                }
                if b >= 10 {
                    out[n] = 48 + b / 10 % 10
                    n += 1
                }
                out[n] = 48 + b % 10
                n += 1
            }
            return n
        }
    }
    public static func < (l: IPv4Bytes, r: IPv4Bytes) -> Bool { l.value < r.value }
}

/// An IPv6 address as its 16 bytes.
public struct IPv6Bytes: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The bytes in network order as two numbers (the first 8, the last 8), so an address
    /// costs no allocation.
    let high: UInt64
    let low: UInt64
    public var bytes: [UInt8] {
        (0..<16).map { UInt8(truncatingIfNeeded: ($0 < 8 ? high : low) >> (56 - 8 * ($0 % 8))) }
    }
    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.init(
            high: bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }, low: bytes[8...].reduce(0) { $0 << 8 | UInt64($1) })
    }
    /// Strict RFC 4291 text form (hex groups, one `::`, optional trailing dotted IPv4); no
    /// zone index, no brackets.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func groups(_ s: String, allowV4Tail: Bool) -> [UInt8]? {
            if s.isEmpty { return [] }
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            var out: [UInt8] = []
            for (i, part) in parts.enumerated() {
                if i == parts.count - 1, allowV4Tail, part.contains(".") {
                    guard let v4 = IPv4Bytes(String(part)) else { return nil }
                    out += v4.bytes
                    continue
                }
                guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit),
                    let v = UInt16(part, radix: 16)
                else { return nil }
                out += [UInt8(v >> 8), UInt8(v & 0xff)]
            }
            return out
        }
        if halves.count == 1 {
            guard let all = groups(halves[0], allowV4Tail: true), all.count == 16 else { return nil }
            self.init(all)
        } else {
            guard let head = groups(halves[0], allowV4Tail: false),
                let tail = groups(halves[1], allowV4Tail: true),
                head.count + tail.count <= 14
            else { return nil }
            self.init(head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail)
        }
    }
    /// RFC 5952 canonical text form (lowercase, longest zero run compressed). Written in
    /// place: an address is printed once per record it appears in.
    public var description: String {
        func word(_ i: Int) -> UInt16 { UInt16(truncatingIfNeeded: (i < 4 ? high : low) >> (48 - 16 * (i % 4))) }
        var bestStart = -1
        var bestLen = 0
        var i = 0
        while i < 8 {
            if word(i) == 0 {
                var j = i
                while j < 8 && word(j) == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 {
                    bestStart = i
                    bestLen = j - i
                }
                i = j
            } else {
                i += 1
            }
        }
        return String(unsafeUninitializedCapacity: 39) { out in
            var count = 0
            func hex(_ range: Range<Int>) {
                for n in range {
                    if n > range.lowerBound {
                        out[count] = UInt8(ascii: ":")
                        count += 1
                    }
                    let word = word(n)
                    var shift = 12
                    while shift > 0 && (word >> UInt16(shift)) == 0 { shift -= 4 }
                    while shift >= 0 {
                        let digit = UInt8(truncatingIfNeeded: (word >> UInt16(shift)) & 0xF)
                        out[count] = digit < 10 ? 48 + digit : 87 + digit
                        count += 1
                        shift -= 4
                    }
                }
            }
            if bestStart < 0 {
                hex(0..<8)
            } else {
                hex(0..<bestStart)
                out[count] = UInt8(ascii: ":")
                out[count + 1] = UInt8(ascii: ":")
                count += 2
                hex((bestStart + bestLen)..<8)
            }
            return count
        }
    }
    public static func < (l: IPv6Bytes, r: IPv6Bytes) -> Bool { (l.high, l.low) < (r.high, r.low) }
}

/// One resource record.
public struct ResourceRecord: Hashable, Sendable {
    public var name: DNSName
    public var type: RecordType
    public var rclass: RecordClass
    public var ttl: UInt32
    public var data: RData
    public init(name: DNSName, type: RecordType, rclass: RecordClass = .in, ttl: UInt32, data: RData) {
        self.name = name
        self.type = type
        self.rclass = rclass
        self.ttl = ttl
        self.data = data
    }
}
