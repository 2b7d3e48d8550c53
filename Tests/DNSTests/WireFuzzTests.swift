import Foundation
import FuzzEntryPoints
import TestSupport
import Testing

@testable import DNS

extension SerializedDNSTests {
    /// Seeded random and mutated messages through the decoder: it must return or throw, never
    /// crash or hang, and every message it accepts must survive re-encoding (DNSFuzz.decode
    /// checks that).
    @Suite struct WireFuzzTests {
        static let seeds: [[UInt8]] = {
            var signed = WireSample.responseWithEveryType()
            signed.tsig = TSIGRecord(
                keyName: WireSample.name("key.example."), algorithm: TSIGAlgorithm.hmacSHA512.name,
                timeSigned: 1_700_000_000, fudge: 300, mac: Array(repeating: 9, count: 64), originalID: 7)
            let update = try? UpdateBatch.messages(
                zone: WireSample.zone,
                changes: [
                    .replace(
                        name: WireSample.name("www.example.test."), type: .a, old: [.a(WireSample.v4("192.0.2.1"))],
                        new: [.a(WireSample.v4("192.0.2.2"))], ttl: 300)
                ])
            return [WireSample.responseWithEveryType().encode(), signed.encode()] + (update?.map { $0.encode() } ?? [])
        }()

        static func mutate(_ seed: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
            var bytes = seed
            let edits = Int.random(in: 1...4, using: &rng)
            for _ in 0..<edits {
                guard !bytes.isEmpty else { break }
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<7, using: &rng) {
                case 0: bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                case 1: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 2: bytes.removeLast(Int.random(in: 0...min(bytes.count, 20), using: &rng))
                case 3:
                    // A pointer to itself or forward: compression loops.
                    let target = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes[at] = 0xC0 | UInt8((target >> 8) & 0x3F)
                    if at + 1 < bytes.count { bytes[at + 1] = UInt8(target & 0xFF) }
                case 4:
                    // Counts that lie.
                    let field = 4 + 2 * Int.random(in: 0..<4, using: &rng)
                    if field + 1 < bytes.count {
                        bytes[field] = UInt8.random(in: 0...255, using: &rng)
                        bytes[field + 1] = UInt8.random(in: 0...255, using: &rng)
                    }
                case 5:
                    bytes.insert(
                        contentsOf: (0..<Int.random(in: 1...8, using: &rng)).map { _ in
                            UInt8.random(in: 0...255, using: &rng)
                        }, at: at)
                default:
                    // A long label length byte: labels over 63 become reserved label types.
                    bytes[at] = UInt8.random(in: 0x3F...0xBF, using: &rng)
                }
            }
            return bytes
        }

        @Test func survivesSeededRandomAndMutatedMessages() {
            var rng = SeededGenerator(seed: 0x5EED_0D15)
            let total = 120_000
            var accepted = 0
            let start = Date()
            for i in 0..<total {
                let input: [UInt8]
                if i % 4 == 0 {
                    let length = Int.random(in: 0...300, using: &rng)
                    input = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                } else {
                    let seed = Self.seeds[Int.random(in: 0..<Self.seeds.count, using: &rng)]
                    input = Self.mutate(seed, using: &rng)
                }
                if DNSFuzz.decode(input) { accepted += 1 }
            }
            let elapsed = Date().timeIntervalSince(start)
            // Both outcomes must occur: a decoder that rejects everything or accepts everything is broken.
            #expect(accepted > total / 100)
            #expect(accepted < total)
            #expect(elapsed < 60, "decoding \(total) messages took \(elapsed)s")
        }

        @Test func libFuzzerEntryPointTakesRawBuffers() {
            for seed in Self.seeds + [[], [0xC0, 0x00]] {
                let status = seed.withUnsafeBufferPointer { DNSFuzz.testOneInput($0.baseAddress, $0.count) }
                #expect(status == 0)
            }
            #expect(DNSFuzz.decode(Self.seeds[0]))
            #expect(!DNSFuzz.decode([0xC0, 0x00]))
        }

        @Test func seedsDecode() throws {
            #expect(Self.seeds.count == 3)
            for seed in Self.seeds { _ = try DNSMessage.decode(seed) }
        }
    }
}
