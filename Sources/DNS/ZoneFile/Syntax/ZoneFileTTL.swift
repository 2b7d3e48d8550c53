/// TTL values as zone files write them: seconds, or BIND's units (`1w2d`, `1h30m`, `90s`).
enum ZoneFileTTL {
    /// RFC 2181 §8: TTLs are 31-bit.
    static let maximum: UInt32 = 2_147_483_647

    /// Parses `text`; nil when it is not a TTL or is over ``maximum``.
    static func parse(_ text: some Collection<UInt8>) -> UInt32? {
        guard let first = text.first, first >= 48, first <= 57 else { return nil }
        var total: UInt64 = 0
        var number: UInt64 = 0
        var digits = 0
        var sawUnit = false
        for byte in text {
            switch byte {
            case 48...57:
                number = number * 10 + UInt64(byte - 48)
                digits += 1
                guard number <= UInt64(maximum) else { return nil }
            default:
                guard digits > 0, let factor = unitSeconds(byte) else { return nil }
                total += number * factor
                number = 0
                digits = 0
                sawUnit = true
            }
            guard total <= UInt64(maximum) else { return nil }
        }
        // After units a bare trailing number is ambiguous; BIND rejects it, so do we.
        if digits > 0 {
            guard !sawUnit else { return nil }
            total = number
        }
        guard total <= UInt64(maximum) else { return nil }
        return UInt32(total)
    }

    static func unitSeconds(_ byte: UInt8) -> UInt64? {
        switch byte | 0x20 {
        case UInt8(ascii: "s"): 1
        case UInt8(ascii: "m"): 60
        case UInt8(ascii: "h"): 3600
        case UInt8(ascii: "d"): 86400
        case UInt8(ascii: "w"): 604_800
        default: nil
        }
    }
}
