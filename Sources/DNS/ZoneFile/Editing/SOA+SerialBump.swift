import Foundation

extension SOA {
    /// The serial to publish after a change to a zone whose serial is `serial`, at `now`.
    ///
    /// A serial that reads as a date `YYYYMMDDnn` moves to today's `YYYYMMDD00` when that is
    /// larger (an earlier day), else up by one (same day: `nn + 1`). Any other serial goes up by
    /// one in RFC 1982 arithmetic, wrapping past 2^32 - 1; like BIND it skips 0, which some
    /// secondaries treat as "no serial".
    public static func nextSerial(after serial: UInt32, now: Date) -> UInt32 {
        if looksLikeDate(serial) {
            let today = dateSerial(now)
            if today > UInt64(serial) { return UInt32(today) }
        }
        let next = serial &+ 1
        return next == 0 ? 1 : next
    }

    /// Whether `serial` reads as `YYYYMMDDnn` with a plausible year, month and day.
    static func looksLikeDate(_ serial: UInt32) -> Bool {
        let year = serial / 1_000_000
        let month = serial / 10_000 % 100
        let day = serial / 100 % 100
        return (1990...2199).contains(year) && (1...12).contains(month) && (1...31).contains(day)
    }

    /// `YYYYMMDD00` for the UTC day of `date`.
    static func dateSerial(_ date: Date) -> UInt64 {
        let days = Int64((date.timeIntervalSince1970 / 86400).rounded(.down))
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        return UInt64(max(0, year)) * 1_000_000 + UInt64(month) * 10_000 + UInt64(day) * 100
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
