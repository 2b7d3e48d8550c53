import DesiredState
import FuzzEntryPoints
import StrictYAML
import TestSupport
import Testing

/// Inputs the YAML and desired-state fuzzers once crashed on (`Fuzz/Regressions/`), replayed
/// through the fuzzers' own entry points: each must now load or be rejected, and break no
/// invariant the fuzzer checks.
@Suite struct FuzzRegressionTests {
    @Test(arguments: try FuzzRegressions.replayCases(of: "yaml"))
    func yamlLoaderInput(_ input: FuzzRegressions.Input) {
        #expect(YAMLFuzz.violation(in: input.bytes) == nil)
        #expect(DesiredStateFuzz.violation(in: input.bytes) == nil)
    }

    @Test(arguments: try FuzzRegressions.replayCases(of: "desired-state"))
    func desiredStateInput(_ input: FuzzRegressions.Input) {
        #expect(DesiredStateFuzz.violation(in: input.bytes) == nil)
    }

    /// The entry points themselves: a valid document passes; the loader's checks run (an
    /// empty directory file is rejected, not accepted).
    @Test func entryPointsAcceptValidAndRejectInvalidDocuments() throws {
        #expect(YAMLFuzz.violation(in: Array("a: [1, 2]\n".utf8)) == nil)
        #expect(YAMLFuzz.violation(in: Array("a: [\n".utf8)) == nil)
        #expect(throws: YAMLError.self) { try YAMLParser.parse(Array("a: [\n".utf8), file: "fuzz.yaml") }
        #expect(DesiredStateFuzz.violation(in: []) == nil)
    }
}
