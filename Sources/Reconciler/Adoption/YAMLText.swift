/// Text that is safe to put in a YAML file reconcile writes, whatever bytes it came from
/// (a `server_name`, a path): nothing from outside reaches the file unescaped.
public enum YAMLText {
    /// `text` as a YAML double-quoted scalar: quotes and backslashes escaped, everything
    /// outside printable ASCII as `\xNN`, `\uNNNN` or `\UNNNNNNNN`, so no byte can end the
    /// scalar, the line or the document.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case " "..."~": out.unicodeScalars.append(scalar)
            default: out += escape(scalar)
            }
        }
        return out + "\""
    }

    /// `text` for the inside of a `#` comment: printable ASCII as it is, everything else
    /// (line breaks of every kind, control bytes, non-ASCII) escaped as `\xNN` / `\uNNNN`, so a
    /// comment stays one line of printable text.
    public static func comment(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if (" "..."~").contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += escape(scalar)
            }
        }
        return out
    }

    /// A list in flow style, each item double-quoted.
    public static func list(_ items: [String]) -> String {
        "[" + items.map(quoted).joined(separator: ", ") + "]"
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        switch scalar.value {
        case 0..<0x100: return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
        case 0x100..<0x10000: return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
        }
    }
}
