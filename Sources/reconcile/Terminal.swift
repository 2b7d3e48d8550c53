import Foundation

/// Printing to the terminal.
enum Terminal {
    /// Writes one line to standard error.
    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Printing JSON documents.
/// What a failed run prints under `--format json`: `{"schema": 1, "error": "…", "exitCode": N}`.
struct JSONFailure: Encodable {
    let schema = 1
    let error: String
    let exitCode: Int32
}

enum JSONOutput {
    static func print(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        Swift.print(String(decoding: data, as: UTF8.self))
    }
}
