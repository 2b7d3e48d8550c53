/// A node of a YAML document, as written: scalars stay strings until a schema gives them a
/// type, so YAML 1.1 surprises (`no`, `on`, `0755`) never happen behind the user's back.
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        case scalar(YAMLScalar)
        case mapping([YAMLPair])
        case sequence([YAMLNode])
    }

    public let content: Content
    public let mark: YAMLMark

    public init(_ content: Content, at mark: YAMLMark) {
        self.content = content
        self.mark = mark
    }

    /// A short name for the node's kind, for "expected X, found Y" messages.
    public var kindDescription: String {
        switch content {
        case .scalar(let s):
            if s.style == .plain && s.value.isEmpty { return "an empty value" }
            return s.style == .plain ? "the scalar \(s.quotedForMessage)" : "the string \(s.quotedForMessage)"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    public var scalar: YAMLScalar? {
        if case .scalar(let s) = content { return s }
        return nil
    }
}

/// A scalar's text and how it was written.
public struct YAMLScalar: Sendable, Hashable {
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public let value: String
    public let style: Style

    public init(value: String, style: Style) {
        self.value = value
        self.style = style
    }

    /// The value in double quotes with control characters escaped, safe to print in an error.
    public var quotedForMessage: String { YAMLScalar.quote(value) }

    /// Quotes `text` for an error message: control characters, quotes and backslashes escaped,
    /// very long values shortened.
    public static func quote(_ text: String, limit: Int = 80) -> String {
        var out = "\""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                out += "…"
                break
            }
            count += 1
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// One key/value entry of a mapping, in document order.
public struct YAMLPair: Sendable {
    public let key: YAMLNode
    public let value: YAMLNode

    /// The key's text (keys are always scalars: complex keys are rejected when parsing).
    public var keyText: String { key.scalar?.value ?? "" }
}
