import Foundation
import Testing

@testable import DNS

@Suite struct ZoneFileSerialTests {
    /// 2026-11-25 12:00 UTC.
    let now = ZoneFileFixtures.now

    @Test func dateSerialOfTheSameDayCountsUp() {
        #expect(SOA.nextSerial(after: 2_026_112_500, now: now) == 2_026_112_501)
        #expect(SOA.nextSerial(after: 2_026_112_507, now: now) == 2_026_112_508)
    }

    @Test func dateSerialOfAnEarlierDayMovesToToday() {
        #expect(SOA.nextSerial(after: 2_024_052_803, now: now) == 2_026_112_500)
        #expect(SOA.nextSerial(after: 2_026_112_499, now: now) == 2_026_112_500)
    }

    @Test func dateSerialAheadOfTodayCountsUp() {
        #expect(SOA.nextSerial(after: 2_030_010_100, now: now) == 2_030_010_101)
    }

    @Test func otherSerialsCountUpAndWrapPastZero() {
        #expect(SOA.nextSerial(after: 1, now: now) == 2)
        #expect(SOA.nextSerial(after: 0, now: now) == 1)
        #expect(SOA.nextSerial(after: 1_700_000_000, now: now) == 1_700_000_001)  // a Unix time, not a date
        #expect(SOA.nextSerial(after: UInt32.max, now: now) == 1)
    }

    @Test func daysAreUTC() {
        // 23:59:59 UTC on 2026-02-28 and the second after.
        let lastSecond = Date(timeIntervalSince1970: 1_772_323_199)
        #expect(SOA.dateSerial(lastSecond) == 2_026_022_800)
        #expect(SOA.dateSerial(lastSecond.addingTimeInterval(1)) == 2_026_030_100)
        #expect(SOA.dateSerial(Date(timeIntervalSince1970: 951_782_400)) == 2_000_022_900)  // leap day 2000
    }
}
