/// Text from outside sources (nginx files and their names, DNS data, children's output,
/// certificates) made safe for a terminal: a vendor include whose `server_name` carries
/// `ESC[2K` must not erase a critical finding from the operator's screen, nor `\r` or an OSC 8
/// hyperlink print a fake `In sync.`. Control characters (C0, DEL, C1) are shown as `\xNN`,
/// and the bidirectional overrides that reorder what is shown as `\u{NNNN}`. JSON output does
/// not go through this: JSON escapes them itself and must carry the exact value.
public enum TerminalText {
    /// `text` with every control character escaped; with `keepingNewlines`, line feeds (and
    /// tabs) stay, for multi-line text such as a child's output.
    public static func escaped(_ text: String, keepingNewlines: Bool = false) -> String {
        // Printable ASCII, as nearly every line of a plan is, needs nothing: its bytes are
        // checked, not its decoded scalars.
        if isPrintableASCII(text, keepingNewlines: keepingNewlines) { return text }
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepingNewlines: keepingNewlines) }) else {
            return text
        }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar, keepingNewlines: keepingNewlines) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16)
            out += scalar.value <= 0xFF ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{\(hex)}"
        }
        return out
    }

    private static func isPrintableASCII(_ text: String, keepingNewlines: Bool) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            // Every byte is looked at, without a branch per byte (the loop vectorizes): most
            // text is printable, and the rest is found by the scalars' check after.
            var outside: UInt8 = 0
            if keepingNewlines {
                for byte in bytes where byte &- 0x20 >= 0x5F && byte != 0x0A && byte != 0x09 { outside = 1 }
            } else {
                for byte in bytes { outside |= byte &- 0x20 >= 0x5F ? 1 : 0 }
            }
            return outside == 0
        }
    }

    static func needsEscape(_ scalar: Unicode.Scalar, keepingNewlines: Bool) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: !keepingNewlines
        case 0x00...0x1F, 0x7F...0x9F: true
        // Bidirectional embeddings, overrides and isolates.
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
