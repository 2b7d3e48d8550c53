import FuzzEntryPoints
import Nginx
import TestSupport
import Testing

/// Inputs the nginx fuzzers once crashed on (`Fuzz/Regressions/`), replayed through the
/// fuzzers' own entry points: parsing must round-trip, and every edit the editor accepts must
/// keep all other bytes and parse again.
@Suite struct FuzzRegressionTests {
    @Test(arguments: try FuzzRegressions.replayCases(of: "nginx-parse"))
    func parserInput(_ input: FuzzRegressions.Input) {
        #expect(NginxFuzz.parseViolation(in: input.bytes) == nil)
    }

    @Test(arguments: try FuzzRegressions.replayCases(of: "nginx-edit"))
    func editorInput(_ input: FuzzRegressions.Input) {
        #expect(NginxFuzz.parseViolation(in: input.bytes) == nil)
        #expect(NginxFuzz.editViolation(in: input.bytes) == nil)
    }

    /// The editor check does edit: on a block with two listens it adds and removes, and the
    /// removed listen's line really goes.
    @Test func editorEntryPointEditsAndRemoves() throws {
        let text = "http {\n    server {\n        listen 80;\n        listen 8080;\n    }\n}\n"
        #expect(NginxFuzz.editViolation(in: Array(text.utf8)) == nil)
        let tree = try NginxConfigTree.load(
            mainConfig: NginxFuzz.mainConfig, reader: InMemoryNginxFileReader(textFiles: [NginxFuzz.mainConfig: text]))
        let first = try #require(tree.serverBlocks.first?.listens.first)
        let edit = try tree.removeListen(first, fromBlock: 0)
        #expect(
            String(decoding: edit.newBytes, as: UTF8.self) == "http {\n    server {\n        listen 8080;\n    }\n}\n")
    }
}
