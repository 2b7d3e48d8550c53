import Foundation
import Reconciler

/// Printing to the terminal. Everything printed in text form may hold bytes from outside (file
/// names, nginx files, DNS data, a child's output): control characters are escaped
/// (``TerminalText``).
enum Terminal {
    /// Writes one line (or several: an error may quote a child's output) to standard error.
    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((TerminalText.escaped(line, keepingNewlines: true) + "\n").utf8))
    }

    /// Prints one line of text output built from outside values.
    static func printLine(_ line: String) {
        print(TerminalText.escaped(line))
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
