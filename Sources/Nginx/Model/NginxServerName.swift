/// One name of a `server_name`, classified as nginx matches it.
public struct NginxServerName: Sendable, Hashable {
    /// How nginx matches the name.
    public enum Kind: String, Sendable, Hashable {
        /// `example.com` (and `""`, which matches requests without a Host).
        case exact
        /// `*.example.com`, or `.example.com` which also matches `example.com` itself.
        case leadingWildcard
        /// `www.example.*`.
        case trailingWildcard
        /// `~^www\d+\.example\.com$` (PCRE, searched, not anchored unless written so).
        case regex
        /// `$hostname`: the machine's host name.
        case hostnameVariable
    }

    /// How nginx matches the name.
    public let kind: Kind
    /// The name as written (unquoted).
    public let text: String
    /// What is matched: lowercased for exact and wildcard names; the pattern without `~`
    /// for regex names.
    public let name: String
    /// Where the name is written.
    public let location: NginxSourceLocation

    /// Classifies `text` as nginx's `server_name` does; nil (with a reason) when nginx
    /// rejects it.
    static func classify(_ text: String, at location: NginxSourceLocation) -> Result<NginxServerName, NginxError> {
        if text == "$hostname" {
            return .success(NginxServerName(kind: .hostnameVariable, text: text, name: text, location: location))
        }
        if text.hasPrefix("~") {
            let pattern = String(text.dropFirst())
            guard !pattern.isEmpty else {
                return .failure(.invalidServerName(name: text, reason: "empty regular expression", at: location))
            }
            return .success(NginxServerName(kind: .regex, text: text, name: pattern, location: location))
        }
        let hasUpperCase = text.utf8.contains { $0 >= 65 && $0 <= 90 }
        let lowered =
            hasUpperCase ? String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self) : text
        let stars = lowered.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "*") ? 1 : 0) }
        let length = lowered.utf8.count
        if stars == 0 {
            if lowered.hasPrefix(".") && length > 1 {
                return .success(NginxServerName(kind: .leadingWildcard, text: text, name: lowered, location: location))
            }
            return .success(NginxServerName(kind: .exact, text: text, name: lowered, location: location))
        }
        if stars == 1 && lowered.hasPrefix("*.") && length > 2 {
            return .success(NginxServerName(kind: .leadingWildcard, text: text, name: lowered, location: location))
        }
        if stars == 1 && lowered.hasSuffix(".*") && length > 2 {
            return .success(NginxServerName(kind: .trailingWildcard, text: text, name: lowered, location: location))
        }
        return .failure(
            .invalidServerName(
                name: text, reason: "a wildcard is allowed only as \"*.name\", \".name\" or \"name.*\"", at: location))
    }
}
