import Foundation
import TestSupport
import Testing

@testable import DNS

/// The test zones under `Fixtures/zones/`, each named `<origin>.zone`, and helpers to run
/// BIND's zone tools on them.
enum ZoneFileFixtures {
    static let directory: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/zones")

    /// Every fixture file name, sorted.
    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".zone") }.sorted()
    }()

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func origin(_ name: String) throws -> DNSName {
        try DNSName(String(name.dropLast(".zone".count)) + ".")
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func zone(_ name: String) throws -> ZoneFile {
        try ZoneFile.parse(bytes(name), path: "zones/\(name)", origin: origin(name))
    }

    /// The records BIND loads from `file`, read back from `named-compilezone`'s full dump.
    static func recordsBINDLoads(file: String, origin: DNSName) throws -> Set<ResourceRecord> {
        let compilezone = try ServerBinary.require("named-compilezone")
        let result = try ChildProcess.check(
            [compilezone, "-q", "-i", "none", "-s", "full", "-o", "-", origin.description, file])
        let dump = try ZoneFile.parse(Array(result.stdout.utf8), path: "named-compilezone", origin: origin)
        return Set(dump.records)
    }

    /// Runs `named-checkzone` and returns its result (status 0 when BIND accepts the zone).
    static func checkzone(file: String, origin: DNSName) throws -> ChildProcess.Result {
        let checkzone = try ServerBinary.require("named-checkzone")
        return try ChildProcess.run([checkzone, origin.description, file])
    }

    /// Lines removed from `old` and added in `new`, by a longest-common-subsequence diff.
    static func lineDiff(_ old: [UInt8], _ new: [UInt8]) -> (removed: [String], added: [String]) {
        let a = lines(old)
        let b = lines(new)
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var removed: [String] = []
        var added: [String] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                i += 1
                j += 1
            } else if j < b.count, i == a.count || table[i][j + 1] >= table[i + 1][j] {
                added.append(b[j])
                j += 1
            } else {
                removed.append(a[i])
                i += 1
            }
        }
        return (removed, added)
    }

    /// Lines with their endings, so a changed line ending shows up in a diff.
    static func lines(_ bytes: [UInt8]) -> [String] {
        var out: [String] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 10 {
            out.append(String(decoding: bytes[start...index], as: UTF8.self))
            start = index + 1
        }
        if start < bytes.count { out.append(String(decoding: bytes[start...], as: UTF8.self)) }
        return out
    }

    /// The text of the line holding byte `offset`.
    static func line(containing offset: Int, in bytes: [UInt8]) -> String {
        let start = bytes[..<offset].lastIndex(of: 10).map { $0 + 1 } ?? 0
        let end = bytes[offset...].firstIndex(of: 10).map { $0 + 1 } ?? bytes.count
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// A fixed instant: 2026-11-25 12:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_795_608_000)
}
