import Foundation
import TestSupport
import Testing

@testable import DNS

/// Seeded random damage to the test zones: the parser must never crash or hang, and any
/// damaged zone it accepts must still be editable (an empty edit, a delete, an add).
@Suite struct ZoneFileMutationTests {
    /// Bytes that mean something to the lexer, and so are worth inserting.
    static let interesting: [UInt8] = Array(" \t\n\r;()\"\\$@.#0123456789aAzZ:".utf8) + [0, 0x7F, 0xC3, 0xFF]

    static func mutate(_ bytes: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let position = out.isEmpty ? 0 : Int.random(in: 0..<out.count, using: &generator)
            let byte = interesting.randomElement(using: &generator) ?? 0
            switch Int.random(in: 0..<4, using: &generator) {
            case 0 where !out.isEmpty: out[position] = byte
            case 1: out.insert(byte, at: position)
            case 2 where !out.isEmpty: out.remove(at: position)
            default:
                // Duplicate a slice of lines: repeated owners, SOAs, parentheses.
                let end = min(out.count, position + Int.random(in: 1...80, using: &generator))
                out.insert(contentsOf: out[position..<end], at: position)
            }
        }
        return out
    }

    @Test(arguments: ZoneFileFixtures.names)
    func damagedZonesNeverBreakTheParserOrTheEditor(fixture: String) throws {
        let original = try ZoneFileFixtures.bytes(fixture)
        let origin = try ZoneFileFixtures.origin(fixture)
        var generator = SeededGenerator(seed: UInt64(fixture.utf8.count) &* 7919)
        var accepted = 0
        let start = Date()
        for _ in 0..<1_000 {
            let damaged = Self.mutate(original, using: &generator)
            guard let zone = try? ZoneFile.parse(damaged, path: "m.zone", origin: origin) else { continue }
            accepted += 1
            // Any zone that parses can be rewritten; the editor's own check must never fail.
            let unchanged = try zone.edited(adding: [], deleting: [], now: ZoneFileFixtures.now)
            let diff = ZoneFileFixtures.lineDiff(damaged, unchanged)
            #expect(diff.removed.count == 1 && diff.added.count == 1, "\(diff)")
            if let victim = zone.records.indices.filter({ $0 != zone.soaIndex }).randomElement(using: &generator) {
                let record = zone.records[victim]
                let added = ResourceRecord(
                    name: record.name, type: .txt, ttl: 42, data: .txt([Array("added".utf8)]))
                _ = try zone.edited(adding: [added], deleting: [record], now: ZoneFileFixtures.now)
            }
        }
        #expect(accepted > 0)
        #expect(Date().timeIntervalSince(start) < 60)
    }
}
