import DNS
import StrictYAML

/// RFC 1123 host names as the desired state accepts them: letters, digits and hyphens in
/// dot-separated labels of 1-63 characters, at most 253 characters, optionally starting with
/// `*.`. Anything else is refused with a reason, so no value can smuggle `;`, braces, quotes,
/// whitespace or control bytes into an nginx file or a DNS message.
public enum HostName {
    /// Validates `text`; returns the lowercase name (trailing dot dropped) or a message.
    ///
    /// Works on the UTF-8 bytes in one pass and a scan of the labels, allocating nothing when
    /// the name is already lowercase without a trailing dot (it runs once per vhost, a million
    /// times for a large desired state); only a refusal builds strings.
    public static func validate(_ text: String, allowWildcard: Bool = true) -> Result<String, HostNameError> {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { validate(text, bytes: $0, allowWildcard: allowWildcard) }
            ?? Array(text.utf8).withUnsafeBufferPointer { validate(text, bytes: $0, allowWildcard: allowWildcard) }
    }

    /// ``validate(_:allowWildcard:)`` over `bytes`, the UTF-8 of `text`.
    private static func validate(
        _ text: String, bytes: UnsafeBufferPointer<UInt8>, allowWildcard: Bool
    ) -> Result<String, HostNameError> {
        if bytes.isEmpty { return .failure(HostNameError("host name is empty")) }
        var quoted: String { YAMLScalar.quote(text) }
        var hasCapitals = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                UInt8(ascii: "."), UInt8(ascii: "*"):
                continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                hasCapitals = true
            default:
                let scalar = text.unicodeScalars.first { !isAllowed($0) } ?? Unicode.Scalar(byte)
                return .failure(
                    HostNameError(
                        "host name \(quoted) contains \(describe(scalar)), which is not allowed in a host name "
                            + "(letters, digits, \"-\" and \".\" only)"))
            }
        }
        // The name is `bytes[..<count]`, lowercased.
        var count = bytes.count
        if count > 1 && bytes[count - 1] == UInt8(ascii: ".") { count -= 1 }
        if count > 253 {
            return .failure(HostNameError("host name is \(count) characters long (at most 253 allowed)"))
        }
        // Labels are split at every dot (empty ones kept); `start` is where the current one begins.
        var start = 0
        var firstEnd = 0
        while firstEnd < count && bytes[firstEnd] != UInt8(ascii: ".") { firstEnd += 1 }
        if firstEnd == 1, bytes[0] == UInt8(ascii: "*") {
            guard allowWildcard else {
                return .failure(HostNameError("wildcard \(quoted) is not allowed here"))
            }
            var labels = 1
            for index in 0..<count where bytes[index] == UInt8(ascii: ".") { labels += 1 }
            guard labels >= 3 else {
                return .failure(
                    HostNameError("wildcard \(quoted) must cover a name inside a domain, like *.example.social"))
            }
            start = firstEnd + 1
        }
        while true {
            var end = start
            var hasStar = false
            while end < count && bytes[end] != UInt8(ascii: ".") {
                if bytes[end] == UInt8(ascii: "*") { hasStar = true }
                end += 1
            }
            if end == start {
                return .failure(HostNameError("host name \(quoted) has an empty label (\"..\" or a leading dot)"))
            }
            if hasStar {
                return .failure(
                    HostNameError("host name \(quoted) has \"*\" other than as a whole first label (\"*.\")"))
            }
            if end - start > 63 {
                return .failure(
                    HostNameError("host name \(quoted) has a label of \(end - start) characters (at most 63 allowed)"))
            }
            if bytes[start] == UInt8(ascii: "-") || bytes[end - 1] == UInt8(ascii: "-") {
                return .failure(HostNameError("host name \(quoted) has a label that starts or ends with \"-\""))
            }
            if end == count { break }
            start = end + 1
        }
        if !hasCapitals && count == bytes.count { return .success(text) }
        return .success(
            String(unsafeUninitializedCapacity: count) { name in
                for index in 0..<count {
                    let byte = bytes[index]
                    name[index] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
                }
                return count
            })
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
