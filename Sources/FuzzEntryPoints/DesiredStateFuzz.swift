import DesiredState

/// Entry point for the desired-state loader's fuzzer (`Fuzz/`) and its regression test: any
/// file in the desired-state directory must load or give a ``DesiredStateError`` with at least
/// one problem, never crash.
public enum DesiredStateFuzz {
    /// The directory the input is loaded from, in memory.
    public static let directory = "/work/desired-state"

    /// Loads `bytes` as the only YAML file of a desired-state directory; returns a
    /// description of a broken invariant, or nil.
    public static func violation(in bytes: [UInt8]) -> String? {
        var fileSystem = InMemoryFileSystem(files: [:])
        fileSystem.files[directory + "/state.yaml"] = bytes
        do {
            _ = try DesiredStateLoader(fileSystem: fileSystem).load(directory: directory)
            return nil
        } catch {
            return error.problems.isEmpty ? "the loader threw without naming a problem" : nil
        }
    }
}
