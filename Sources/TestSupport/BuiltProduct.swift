import Foundation

/// The executables `swift build` made beside the test bundle: the one way tests find the
/// `reconcile` binary they run.
public enum BuiltProduct {
    /// The package's root directory (found from this file's place, so a fresh clone works).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The absolute path of the executable product `name`: in the directory of the running test
    /// bundle (`.xctest`), else beside the test runner, else in `.build/debug`.
    public static func path(_ name: String) -> String {
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var bundle = URL(fileURLWithPath: executable)
        while bundle.pathComponents.count > 1 && !bundle.lastPathComponent.hasSuffix(".xctest") {
            bundle.deleteLastPathComponent()
        }
        let candidates = [
            bundle.deletingLastPathComponent().appendingPathComponent(name).path,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
                .path,
            packageRoot + "/.build/debug/" + name,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }
}
