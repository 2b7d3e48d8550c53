import Foundation

/// The inputs a fuzzer once crashed on, kept by `Fuzz/run.sh` in `Fuzz/Regressions/<target>/`
/// (outside every test target, found from this file's location) so the main test suite
/// replays them through the same entry point the fuzzer calls.
public enum FuzzRegressions {
    /// The fuzz targets `Fuzz/run.sh` knows.
    public static let targets = ["yaml", "desired-state", "nginx-parse", "nginx-edit", "dns-message", "zone-file"]

    /// `Fuzz/Regressions` in this package.
    public static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/Regressions")

    /// One kept input: its file name (for the test's message) and bytes.
    public struct Input: Sendable, CustomStringConvertible {
        public let name: String
        public let bytes: [UInt8]
        public var description: String { name }
    }

    /// Every kept input of `target`, sorted by name; hidden files (`.gitkeep`) are not inputs.
    /// Throws when the folder is missing, so a wrong path cannot pass as "nothing to replay".
    public static func inputs(of target: String) throws -> [Input] {
        let folder = directory.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { !$0.hasPrefix(".") }.sorted()
        return try names.map { name in
            Input(name: name, bytes: Array(try Data(contentsOf: folder.appendingPathComponent(name))))
        }
    }

    /// What a replay test runs for `target`: the empty input (a real case the entry point must
    /// survive, named so the report says whether anything was kept) and every kept input. A
    /// folder with nothing kept yet is thus one named case, never a test of zero cases.
    public static func replayCases(of target: String) throws -> [Input] {
        let kept = try inputs(of: target)
        let name = kept.isEmpty ? "empty input (Fuzz/Regressions/\(target) holds no crash yet)" : "empty input"
        return [Input(name: name, bytes: [])] + kept
    }
}
