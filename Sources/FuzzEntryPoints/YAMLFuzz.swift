import StrictYAML

/// Entry point for the YAML loader's fuzzer (`Fuzz/`) and its regression test: arbitrary
/// bytes must parse or throw a ``YAMLError``, never crash, hang or allocate without bound.
public enum YAMLFuzz {
    /// Parses `bytes`; returns a description of a broken invariant, or nil. A thrown
    /// ``YAMLError`` is a correct outcome; its message must name the file.
    public static func violation(in bytes: [UInt8]) -> String? {
        do {
            _ = try YAMLParser.parse(bytes, file: "fuzz.yaml")
            return nil
        } catch {
            let message = "\(error)"
            return message.contains("fuzz.yaml") ? nil : "error message does not name the file: \(message)"
        }
    }
}
