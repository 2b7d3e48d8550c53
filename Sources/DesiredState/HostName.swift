import DNS
import StrictYAML

/// RFC 1123 host names as the desired state accepts them: letters, digits and hyphens in
/// dot-separated labels of 1-63 characters, at most 253 characters, optionally starting with
/// `*.`. Anything else is refused with a reason, so no value can smuggle `;`, braces, quotes,
/// whitespace or control bytes into an nginx file or a DNS message.
public enum HostName {
    /// Validates `text`; returns the lowercase name (trailing dot dropped) or a message.
    ///
    /// Works on the UTF-8 bytes in one pass and a scan of the labels (it runs once per vhost,
    /// a million times for a large desired state); only a refusal builds strings.
    public static func validate(_ text: String, allowWildcard: Bool = true) -> Result<String, HostNameError> {
        if text.isEmpty { return .failure(HostNameError("host name is empty")) }
        var quoted: String { YAMLScalar.quote(text) }
        var name: [UInt8] = []
        name.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                UInt8(ascii: "."), UInt8(ascii: "*"):
                name.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                name.append(byte + 32)
            default:
                let scalar = text.unicodeScalars.first { !isAllowed($0) } ?? Unicode.Scalar(byte)
                return .failure(
                    HostNameError(
                        "host name \(quoted) contains \(describe(scalar)), which is not allowed in a host name "
                            + "(letters, digits, \"-\" and \".\" only)"))
            }
        }
        if name.count > 1 && name.last == UInt8(ascii: ".") { name.removeLast() }
        if name.count > 253 {
            return .failure(HostNameError("host name is \(name.count) characters long (at most 253 allowed)"))
        }
        // Labels as byte ranges of `name`, split at every dot (empty ones kept).
        var labels: [Range<Int>] = []
        var labelStart = 0
        for (index, byte) in name.enumerated() where byte == UInt8(ascii: ".") {
            labels.append(labelStart..<index)
            labelStart = index + 1
        }
        labels.append(labelStart..<name.count)
        if let first = labels.first, first.count == 1, name[first.lowerBound] == UInt8(ascii: "*") {
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
            if name[label].contains(UInt8(ascii: "*")) {
                return .failure(
                    HostNameError("host name \(quoted) has \"*\" other than as a whole first label (\"*.\")"))
            }
            if label.count > 63 {
                return .failure(
                    HostNameError("host name \(quoted) has a label of \(label.count) characters (at most 63 allowed)"))
            }
            if name[label.lowerBound] == UInt8(ascii: "-") || name[label.upperBound - 1] == UInt8(ascii: "-") {
                return .failure(HostNameError("host name \(quoted) has a label that starts or ends with \"-\""))
            }
        }
        return .success(String(decoding: name, as: UTF8.self))
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
            || scalar == "-" || scalar == "." || scalar == "*"
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
