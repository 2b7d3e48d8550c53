import Foundation
import TestSupport
import Testing

@testable import DNS

/// Every test zone must parse to the records BIND itself loads from it.
@Suite struct ZoneFileBINDAgreementTests {
    @Test func fixturesExist() {
        #expect(ZoneFileFixtures.names.count >= 8)
        #expect(ZoneFileFixtures.names.contains("nasty.example.zone"))
    }

    @Test(
        arguments: ZoneFileFixtures.names)
    func parsesTheRecordsBINDLoads(fixture: String) throws {
        let zone = try ZoneFileFixtures.zone(fixture)
        let bind = try ZoneFileFixtures.recordsBINDLoads(
            file: ZoneFileFixtures.path(fixture), origin: try ZoneFileFixtures.origin(fixture))
        let ours = Set(zone.records)
        let missing = bind.subtracting(ours).map(\.presentation).sorted()
        let extra = ours.subtracting(bind).map(\.presentation).sorted()
        #expect(missing.isEmpty, "BIND loads records we do not see")
        #expect(extra.isEmpty, "we see records BIND does not load")
        #expect(!zone.records.isEmpty)
    }

    @Test(
        arguments: ZoneFileFixtures.names)
    func unchangedEditOnlyBumpsTheSerial(fixture: String) throws {
        let zone = try ZoneFileFixtures.zone(fixture)
        let output = try zone.edited(adding: [], deleting: [], now: ZoneFileFixtures.now)
        let diff = ZoneFileFixtures.lineDiff(zone.bytes, output)
        let serialRange = try #require(zone.layouts[zone.soaIndex].serialRange)
        let serialLine = ZoneFileFixtures.line(containing: serialRange.lowerBound, in: zone.bytes)
        let newSerial = SOA.nextSerial(after: zone.soa.serial, now: ZoneFileFixtures.now)
        #expect(diff.removed == [serialLine])
        #expect(diff.added == [serialLine.replacingOccurrences(of: String(zone.soa.serial), with: String(newSerial))])

        let reparsed = try ZoneFile.parse(output, path: zone.path, origin: zone.origin)
        #expect(reparsed.soa.serial == newSerial)
        #expect(reparsed.records.count == zone.records.count)

        let directory = try TemporaryDirectory()
        let file = try directory.write(fixture, Data(output))
        let check = try ZoneFileFixtures.checkzone(file: file.path, origin: zone.origin)
        #expect(check.succeeded, "\(check.stdout)\(check.stderr)")
    }
}
