/// The path argument of an `include`, resolved and expanded the way nginx does it.
///
/// nginx resolves a relative path against the main configuration's directory (its
/// `conf_prefix`), not against the including file's. A path without `*`, `?` or `[` must
/// exist; a pattern is expanded with `glob(3)` in the C locale: sorted byte-wise, a match
/// of nothing is fine, `*` does not match a leading dot.
struct IncludePattern {
    let pattern: String
    let resolved: String

    init(_ pattern: String, prefix: String) {
        self.pattern = pattern
        resolved = pattern.hasPrefix("/") ? pattern : Self.join(prefix, pattern)
    }

    var hasWildcards: Bool { resolved.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) }

    static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The directory part of a path (`.` for a bare file name), as nginx's conf_prefix.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// Paths matching the pattern, sorted byte-wise.
    func expand(using reader: some NginxFileReader) -> [String] {
        let absolute = resolved.hasPrefix("/")
        let components = resolved.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var candidates = [absolute ? "/" : ""]
        for (position, component) in components.enumerated() {
            let isLast = position == components.count - 1
            var next: [String] = []
            if !Self.isPattern(component) {
                next = candidates.map { Self.join($0, component) }
            } else {
                for base in candidates {
                    let listed = base.isEmpty ? "." : base
                    guard let entries = reader.directoryEntries(atPath: listed) else { continue }
                    for entry in entries where Self.matches(Array(component.utf8), Array(entry.utf8)) {
                        let path = Self.join(base, entry)
                        if isLast || reader.directoryEntries(atPath: path) != nil { next.append(path) }
                    }
                }
            }
            candidates = next
        }
        return candidates.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func isPattern(_ component: String) -> Bool {
        component.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" })
    }

    /// `fnmatch(3)` without flags except that a leading dot must be matched literally.
    static func matches(_ pattern: [UInt8], _ name: [UInt8]) -> Bool {
        if name.first == UInt8(ascii: "."), pattern.first != UInt8(ascii: ".") { return false }
        return match(pattern[...], name[...])
    }

    private static func match(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
        var patternIndex = pattern.startIndex
        var nameIndex = name.startIndex
        var starPattern: Int?
        var starName = name.startIndex
        while nameIndex < name.endIndex {
            if patternIndex < pattern.endIndex {
                let byte = pattern[patternIndex]
                if byte == UInt8(ascii: "*") {
                    starPattern = patternIndex
                    starName = nameIndex
                    patternIndex += 1
                    continue
                }
                if byte == UInt8(ascii: "?") {
                    patternIndex += 1
                    nameIndex += 1
                    continue
                }
                if byte == UInt8(ascii: "["),
                    let (matched, next) = matchClass(pattern, at: patternIndex, name[nameIndex])
                {
                    if matched {
                        patternIndex = next
                        nameIndex += 1
                        continue
                    }
                } else {
                    var literal = byte
                    var next = patternIndex + 1
                    if byte == UInt8(ascii: "\\"), next < pattern.endIndex {
                        literal = pattern[next]
                        next += 1
                    }
                    if literal == name[nameIndex] {
                        patternIndex = next
                        nameIndex += 1
                        continue
                    }
                }
            }
            guard let star = starPattern else { return false }
            patternIndex = star + 1
            starName += 1
            nameIndex = starName
        }
        while patternIndex < pattern.endIndex && pattern[patternIndex] == UInt8(ascii: "*") { patternIndex += 1 }
        return patternIndex == pattern.endIndex
    }

    /// Matches `[...]` at `start`; nil when the bracket is not closed (then `[` is literal).
    private static func matchClass(_ pattern: ArraySlice<UInt8>, at start: Int, _ byte: UInt8) -> (Bool, Int)? {
        var index = start + 1
        var negate = false
        if index < pattern.endIndex && (pattern[index] == UInt8(ascii: "!") || pattern[index] == UInt8(ascii: "^")) {
            negate = true
            index += 1
        }
        var matched = false
        var first = true
        while index < pattern.endIndex {
            let low = pattern[index]
            if low == UInt8(ascii: "]") && !first { return (matched != negate, index + 1) }
            first = false
            if index + 2 < pattern.endIndex && pattern[index + 1] == UInt8(ascii: "-")
                && pattern[index + 2] != UInt8(ascii: "]")
            {
                if low <= byte && byte <= pattern[index + 2] { matched = true }
                index += 3
            } else {
                if low == byte { matched = true }
                index += 1
            }
        }
        return nil
    }
}
