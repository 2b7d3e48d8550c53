/// Evaluates `server_name ~regex` names with Swift's regex engine, which reads PCRE syntax
/// for the common cases; constructs only PCRE has are refused, never guessed.
enum NginxRegex {
    enum Outcome: Equatable {
        case matched
        case notMatched
        case unsupported(String)
    }

    /// PCRE constructs Swift's engine lacks or treats differently.
    private static let pcreOnly: [(String, String)] = [
        ("(?R)", "recursion"), ("(?&", "subroutine call"), ("(?P>", "subroutine call"), ("(?(", "conditional"),
        ("\\K", "match reset \\K"), ("(*", "backtracking verb"), ("(?|", "branch reset"), ("\\g", "back reference \\g"),
        ("(?C", "callout"),
    ]

    /// Whether `pattern` matches somewhere in `host` (PCRE search, not a full match),
    /// caseless when the pattern has an upper-case letter, as nginx compiles it.
    static func firstMatch(pattern: String, in host: String) -> Outcome {
        for (construct, name) in pcreOnly where pattern.contains(construct) {
            return .unsupported("PCRE \(name) (\(construct))")
        }
        if hasNumberedSubroutine(Array(pattern.utf8)) { return .unsupported("PCRE subroutine call") }
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(pattern)
        } catch {
            return .unsupported("the pattern does not compile (\(error))")
        }
        let caseless = pattern.contains(where: { $0.isASCII && $0.isUppercase })
        let configured = regex.matchingSemantics(.unicodeScalar).ignoresCase(caseless)
        do {
            return try configured.firstMatch(in: host) != nil ? .matched : .notMatched
        } catch {
            return .unsupported("matching failed (\(error))")
        }
    }

    /// `(?1)`, `(?+1)`, `(?-1)`: calls of numbered groups.
    private static func hasNumberedSubroutine(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == UInt8(ascii: "("), bytes[index + 1] == UInt8(ascii: "?") {
                var next = index + 2
                if bytes[next] == UInt8(ascii: "+") || bytes[next] == UInt8(ascii: "-") { next += 1 }
                if next < bytes.count, bytes[next] >= 48, bytes[next] <= 57 { return true }
            }
            index += 1
        }
        return false
    }
}
