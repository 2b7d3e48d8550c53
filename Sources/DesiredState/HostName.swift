import DNS
import StrictYAML

/// RFC 1123 host names as the desired state accepts them: letters, digits and hyphens in
/// dot-separated labels of 1-63 characters, at most 253 characters, optionally starting with
/// `*.`. Anything else is refused with a reason, so no value can smuggle `;`, braces, quotes,
/// whitespace or control bytes into an nginx file or a DNS message.
public enum HostName {
    /// Validates `text`; returns the lowercase name (trailing dot dropped) or a message.
    public static func validate(_ text: String, allowWildcard: Bool = true) -> Result<String, HostNameError> {
        if text.isEmpty { return .failure(HostNameError("host name is empty")) }
        // Only a refusal quotes the name: building it for every accepted name cost more
        // than the check itself.
        var quoted: String { YAMLScalar.quote(text) }
        for scalar in text.unicodeScalars {
            let allowed =
                (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
                || (scalar >= "0" && scalar <= "9") || scalar == "-" || scalar == "." || scalar == "*"
            if !allowed {
                return .failure(
                    HostNameError(
                        "host name \(quoted) contains \(describe(scalar)), which is not allowed in a host name "
                            + "(letters, digits, \"-\" and \".\" only)"))
            }
        }
        var name = text.lowercased()
        if name.hasSuffix(".") && name.count > 1 { name.removeLast() }
        if name.count > 253 {
            return .failure(HostNameError("host name is \(name.count) characters long (at most 253 allowed)"))
        }
        var labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.first == "*" {
            guard allowWildcard else {
                return .failure(HostNameError("wildcard \(quoted) is not allowed here"))
            }
            guard labels.count >= 3 else {
                return .failure(
                    HostNameError("wildcard \(quoted) must cover a name inside a domain, like *.example.social"))
            }
            labels.removeFirst()
        }
        for label in labels {
            if label.isEmpty {
                return .failure(HostNameError("host name \(quoted) has an empty label (\"..\" or a leading dot)"))
            }
            if label.contains("*") {
                return .failure(
                    HostNameError("host name \(quoted) has \"*\" other than as a whole first label (\"*.\")"))
            }
            if label.count > 63 {
                return .failure(
                    HostNameError("host name \(quoted) has a label of \(label.count) characters (at most 63 allowed)"))
            }
            if label.hasPrefix("-") || label.hasSuffix("-") {
                return .failure(HostNameError("host name \(quoted) has a label that starts or ends with \"-\""))
            }
        }
        return .success(name)
    }

    static func describe(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case " ": return "a space"
        case "\t": return "a tab"
        case "\n": return "a newline"
        case "\r": return "a carriage return"
        case "\"": return "a quote (\")"
        case "_": return "\"_\""
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                return "the control byte 0x" + String(scalar.value, radix: 16, uppercase: true)
            }
            if !scalar.isASCII { return "the non-ASCII character \"\(scalar)\" (use its punycode xn-- form)" }
            return "\"\(scalar)\""
        }
    }
}

/// Why a host name was refused.
public struct HostNameError: Error, Sendable, Hashable {
    public let message: String
    init(_ message: String) { self.message = message }
}
