import ProcessRunning
import StrictYAML

/// Types YAML nodes against the desired-state schema, collecting every problem instead of
/// stopping at the first.
struct SchemaReader {
    var problems: [DesiredStateError.Problem] = []
    /// Every path read with ``path(_:what:currentDirectory:)``.
    var namedPaths: [DesiredState.NamedPath] = []

    mutating func fail(_ message: String, at node: YAMLNode) {
        problems.append(.init(message, at: node.mark))
    }

    /// The entries of a mapping by key, after reporting keys not in `allowed`.
    mutating func mapping(_ node: YAMLNode, allowed: [String], what: @autoclosure () -> String) -> MappingKeys? {
        guard case .mapping(let pairs) = node.content else {
            fail(
                "\(what()) must be a mapping with keys \(allowed.joined(separator: ", ")), found \(node.kindDescription)",
                at: node)
            return nil
        }
        // The pairs themselves unless a key is unknown (then a copy without those).
        var known: [YAMLPair]?
        for (index, pair) in pairs.enumerated() {
            let key = pair.keyText
            if allowed.contains(key) {
                known?.append(pair)
            } else {
                if known == nil { known = Array(pairs[..<index]) }
                var message = "unknown key \(YAMLScalar.quote(key)) in \(what())"
                if let guess = Suggestion.closest(to: key, among: allowed) {
                    message += "; did you mean \"\(guess)\"?"
                } else {
                    message += " (expected \(allowed.joined(separator: ", ")))"
                }
                fail(message, at: pair.key)
            }
        }
        return MappingKeys(pairs: known ?? pairs)
    }

    /// A non-empty string scalar.
    mutating func string(_ node: YAMLNode, what: @autoclosure () -> String) -> String? {
        guard let scalar = node.scalar else {
            fail("\(what()) must be a string, found \(node.kindDescription)", at: node)
            return nil
        }
        if scalar.value.isEmpty {
            fail("\(what()) must not be empty", at: node)
            return nil
        }
        return scalar.value
    }

    /// The items of a list.
    mutating func list(_ node: YAMLNode, what: @autoclosure () -> String, example: String) -> [YAMLNode]? {
        guard case .sequence(let items) = node.content else {
            fail("\(what()) must be a list like \(example), found \(node.kindDescription)", at: node)
            return nil
        }
        return items
    }

    /// A decimal integer in `range`, written plainly (quoted numbers and YAML 1.1 forms such
    /// as `0755`, `0x1BB` or `1_000` are refused rather than guessed at).
    mutating func integer(_ node: YAMLNode, what: @autoclosure () -> String, range: ClosedRange<Int>) -> Int? {
        guard let scalar = node.scalar, scalar.style == .plain else {
            fail(
                "\(what()) must be a number from \(range.lowerBound) to \(range.upperBound), found \(node.kindDescription)",
                at: node)
            return nil
        }
        // On the UTF-8 bytes: a Character test would break the text into graphemes first.
        let text = scalar.value
        let digits = text.utf8
        let allDigits = digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        if digits.count > 1, digits.first == UInt8(ascii: "0"), allDigits {
            fail("\(what()) \(text) has a leading zero (YAML 1.1 would read it as octal); write it without", at: node)
            return nil
        }
        guard !digits.isEmpty, digits.count <= 10, allDigits, digits.count == 1 || digits.first != UInt8(ascii: "0")
        else {
            fail(
                "\(what()) must be a number from \(range.lowerBound) to \(range.upperBound), found \(node.kindDescription)",
                at: node)
            return nil
        }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard range.contains(value) else {
            fail("\(what()) \(value) is out of range (\(range.lowerBound)-\(range.upperBound))", at: node)
            return nil
        }
        return value
    }

    /// A command as argv: a non-empty list of non-empty strings without control bytes.
    mutating func command(_ node: YAMLNode, what: @autoclosure () -> String, currentDirectory: String) -> [String]? {
        guard let items = list(node, what: what(), example: "[systemctl, reload, nginx]") else { return nil }
        guard !items.isEmpty else {
            fail("\(what()) must name a program to run, found an empty list", at: node)
            return nil
        }
        var argv: [String] = []
        for item in items {
            guard let word = string(item, what: "each word of \(what())") else { return nil }
            guard !word.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                fail("\(what()) contains a control character in \(YAMLScalar.quote(word))", at: item)
                return nil
            }
            argv.append(word)
        }
        if argv[0].hasPrefix("-") {
            fail(
                "\(what()) starts with \(YAMLScalar.quote(argv[0])), an option, not a program: name the program first (e.g. [nginx, -t])",
                at: items[0])
            return nil
        }
        return Programs.resolved(argv, relativeToFile: node.mark.file, currentDirectory: currentDirectory)
    }

    /// A file path (no control bytes), made absolute against the directory of the YAML file
    /// that names it.
    mutating func path(_ node: YAMLNode, what: @autoclosure () -> String, currentDirectory: String) -> String? {
        guard let text = string(node, what: what()) else { return nil }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            fail("\(what()) \(YAMLScalar.quote(text)) contains a control character", at: node)
            return nil
        }
        let resolved = Paths.resolve(text, relativeToFile: node.mark.file, currentDirectory: currentDirectory)
        namedPaths.append(.init(key: what(), path: resolved, written: text, source: node.mark.description))
        return resolved
    }
}

/// The entries of a mapping whose keys the schema allows, in document order, found by a scan:
/// a schema mapping has a handful of keys, and a dictionary per mapping (one per vhost) cost
/// more than the scan.
struct MappingKeys {
    /// Keys are unique: the parser refuses a duplicate.
    let pairs: [YAMLPair]

    /// The entry with key `key`, if given.
    subscript(key: String) -> YAMLPair? { pairs.first { $0.keyText == key } }
}

/// Lexical path handling (no symlink resolution: the file may not exist yet at validate time).
public enum Paths {
    /// `path` if absolute, else joined to the directory of `file` (itself made absolute with
    /// `currentDirectory`), with `.` and `..` removed.
    public static func resolve(_ path: String, relativeToFile file: String, currentDirectory: String) -> String {
        if path.hasPrefix("/") { return normalize(path) }
        let fileAbsolute = file.hasPrefix("/") ? file : currentDirectory + "/" + file
        var directory = fileAbsolute
        if let slash = directory.lastIndex(of: "/") { directory = String(directory[..<slash]) }
        return normalize(directory + "/" + path)
    }

    /// Removes `.`, empty components and `..` (never above the root).
    public static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// `path` relative to `base` when it lies under it, else `path` unchanged.
    public static func display(_ path: String, from base: String) -> String {
        let prefix = base.hasSuffix("/") ? base : base + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}

/// Commands of the desired state with their program made absolute at load time, so what runs
/// is what `plan -v` shows and nothing depends on the caller's `PATH` (see ``ProgramSearch``).
enum Programs {
    /// `argv` with its first word resolved: a path relative to the YAML file's directory, or a
    /// bare name found on ``ProgramSearch/path``. A name not found there stays as it is (the
    /// host that runs apply may have it; running it then fails with a clear error).
    static func resolved(_ argv: [String], relativeToFile file: String, currentDirectory: String) -> [String] {
        guard let program = argv.first else { return argv }
        if program.contains("/") {
            return [Paths.resolve(program, relativeToFile: file, currentDirectory: currentDirectory)] + argv.dropFirst()
        }
        guard let absolute = ProgramSearch.resolve(program) else { return argv }
        return [absolute] + argv.dropFirst()
    }
}
