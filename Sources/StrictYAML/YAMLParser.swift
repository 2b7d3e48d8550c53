import CYAML

/// Parses one YAML document with the system libyaml into a ``YAMLNode`` tree, strictly.
///
/// Strict means: one document per file; mapping keys are plain or quoted scalars and unique;
/// explicit tags other than `!!str` are rejected; anchors and aliases are allowed but their
/// expansion is bounded (an "alias bomb" is an error, not gigabytes of memory); nesting depth
/// is bounded; input must be UTF-8.
public enum YAMLParser {
    /// Bounds that keep hostile input from exhausting time or memory.
    public struct Limits: Sendable {
        /// Largest accepted input.
        public var maxBytes: Int = 64 << 20
        /// Deepest accepted nesting of mappings and sequences.
        public var maxDepth: Int = 64
        /// Nodes that aliases may add beyond the nodes written out in the file.
        public var maxAliasExpansion: Int = 100_000
        public init() {}
    }

    /// Parses `bytes` (the contents of `file`). Returns nil for a stream with no document
    /// (an empty file, or only comments).
    public static func parse(_ bytes: [UInt8], file: String, limits: Limits = Limits()) throws(YAMLError) -> YAMLNode? {
        guard bytes.count <= limits.maxBytes else {
            throw YAMLError(
                "file is \(bytes.count) bytes, larger than the \(limits.maxBytes) bytes accepted",
                at: YAMLMark(file: file, line: 1, column: 1))
        }
        try validateUTF8(bytes, file: file)
        var builder = TreeBuilder(file: file, limits: limits)
        let result: Result<YAMLNode?, YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                return .failure(YAMLError("libyaml could not initialise", at: YAMLMark(file: file, line: 1, column: 1)))
            }
            defer { yaml_parser_delete(&parser) }
            let empty: [UInt8] = [0]
            if let base = buffer.baseAddress {
                yaml_parser_set_input_string(&parser, base, buffer.count)
            } else {
                empty.withUnsafeBufferPointer { yaml_parser_set_input_string(&parser, $0.baseAddress, 0) }
            }
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    return .failure(syntaxError(parser, bytes: bytes, file: file))
                }
                defer { yaml_event_delete(&event) }
                do throws(YAMLError) {
                    if try builder.handle(event) { break }
                } catch {
                    return .failure(error)
                }
            }
            return .success(builder.root)
        }
        return try result.get()
    }

    /// Rejects bytes that are not UTF-8, naming the first bad byte's line and column.
    static func validateUTF8(_ bytes: [UInt8], file: String) throws(YAMLError) {
        guard let bad = firstInvalidUTF8(bytes) else { return }
        // Lines and columns are counted only now: everything before `bad` is valid, so each
        // byte that is not a continuation byte starts one character.
        var line = 1
        var column = 1
        for b in bytes[..<bad] {
            if b == 0x0A {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        let hex = String(bytes[bad], radix: 16, uppercase: true)
        throw YAMLError(
            "invalid UTF-8 byte 0x\(hex.count == 1 ? "0" + hex : hex) (the file must be UTF-8 text)",
            at: YAMLMark(file: file, line: line, column: column))
    }

    /// The offset of the first byte that does not start a valid UTF-8 sequence, or nil.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            let n = buffer.count
            var i = 0
            while i < n {
                // Eight ASCII bytes at a time: nearly every file is all ASCII.
                if i + 8 <= n, let base = buffer.baseAddress,
                    UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0
                {
                    i += 8
                    continue
                }
                let b = buffer[i]
                if b < 0x80 {
                    i += 1
                    continue
                }
                let length: Int
                var minimum: UInt32
                var scalar: UInt32
                switch b {
                case 0xC2...0xDF: (length, minimum, scalar) = (2, 0x80, UInt32(b & 0x1F))
                case 0xE0...0xEF: (length, minimum, scalar) = (3, 0x800, UInt32(b & 0x0F))
                case 0xF0...0xF4: (length, minimum, scalar) = (4, 0x10000, UInt32(b & 0x07))
                default:
                    length = 0
                    minimum = 0
                    scalar = 0
                }
                var valid = length > 0 && i + length <= n
                if valid {
                    for k in 1..<length {
                        let c = buffer[i + k]
                        if c & 0xC0 != 0x80 {
                            valid = false
                            break
                        }
                        scalar = scalar << 6 | UInt32(c & 0x3F)
                    }
                }
                if valid && (scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar)) {
                    valid = false
                }
                guard valid else { return i }
                i += length
            }
            return nil
        }
    }

    /// Turns libyaml's error state into a located message, recognising tab indentation.
    static func syntaxError(_ parser: yaml_parser_t, bytes: [UInt8], file: String) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        let mark = parser.problem_mark
        let line = Int(mark.line) + 1
        let column = Int(mark.column) + 1
        if let tabColumn = tabInIndentation(bytes: bytes, line: line, upTo: column) {
            return YAMLError(
                "tab character in indentation (YAML indents with spaces only)",
                at: YAMLMark(file: file, line: line, column: tabColumn))
        }
        var message = "YAML syntax error: \(problem)"
        if let context = parser.context.map({ String(cString: $0) }) {
            let cm = parser.context_mark
            message += " (\(context) at line \(cm.line + 1), column \(cm.column + 1))"
        }
        if parser.error == YAML_READER_ERROR {
            return YAMLError(message, at: YAMLMark(file: file, line: 1, column: 1))
        }
        return YAMLError(message, at: YAMLMark(file: file, line: line, column: column))
    }

    /// Column (1-based) of a tab in the leading whitespace of `line`, if the error points into
    /// that whitespace or just after it.
    static func tabInIndentation(bytes: [UInt8], line: Int, upTo column: Int) -> Int? {
        var current = 1
        var start = 0
        if line > 1 {
            for (i, b) in bytes.enumerated() where b == 0x0A {
                current += 1
                if current == line {
                    start = i + 1
                    break
                }
            }
            guard current == line else { return nil }
        }
        var col = 1
        var i = start
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 {
            if bytes[i] == 0x09 { return col <= column ? col : nil }
            col += 1
            i += 1
        }
        return nil
    }
}
