import Foundation
import TestSupport
import Testing

/// One version everywhere: the VERSION file is what `--version` prints (and what the package,
/// the plan JSON, the journal and the metrics carry, from the same constant).
@Suite struct VersionTests {
    @Test func versionPrintsTheVersionFile() throws {
        let file = try String(contentsOfFile: CLITests.root + "/VERSION", encoding: .utf8)
        let version = file.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.split(separator: ".").count == 3, "VERSION: \(file)")
        let result = try ChildProcess.run([CLITests.binary, "--version"], timeout: 30)
        #expect(result.status == 0)
        #expect(result.stdout == version + "\n")
    }

    @Test(arguments: ["plan", "validate"])
    func jsonOutputCarriesTheVersion(command: String) throws {
        let version = try String(contentsOfFile: CLITests.root + "/VERSION", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try ChildProcess.run(
            [CLITests.binary, command, "--format", "json"], currentDirectory: CLITests.root, timeout: 60)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["reconcile_version"] as? String == version, "\(command)")
    }
}
