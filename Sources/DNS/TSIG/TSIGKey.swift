import Foundation

/// A TSIG key: name, algorithm and shared secret. The secret never appears in descriptions.
public struct TSIGKey: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let name: DNSName
    public let algorithm: TSIGAlgorithm
    public let secret: [UInt8]

    public init(name: DNSName, algorithm: TSIGAlgorithm, secret: [UInt8]) {
        self.name = name
        self.algorithm = algorithm
        self.secret = secret
    }

    public var description: String { "TSIGKey(\(name), \(algorithm), secret: <REDACTED>)" }
    public var debugDescription: String { description }

    /// Parses a key file: either a BIND `key "name" { algorithm hmac-sha256; secret "..."; };`
    /// stanza as `tsig-keygen` writes it, or the base64 secret alone, in which case `name` and
    /// `algorithm` say what the secret belongs to. `source` names the file in errors.
    public static func parse(
        _ text: String, source: String, name: DNSName? = nil, algorithm: TSIGAlgorithm? = nil
    ) throws(DNSError) -> TSIGKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let tokens = tokenize(trimmed)
        guard tokens.first == "key" else {
            guard let name, let algorithm else {
                throw .invalidKey(source: source, reason: "a bare base64 secret needs a key name and algorithm")
            }
            return TSIGKey(name: name, algorithm: algorithm, secret: try decodeSecret(trimmed, source: source))
        }
        // key "name" { algorithm X; secret "Y"; };
        guard tokens.count >= 3, tokens[0] == "key", tokens[2] == "{" else {
            throw .invalidKey(source: source, reason: "expected key \"name\" { ... }; as tsig-keygen writes it")
        }
        let keyName: DNSName
        do {
            keyName = try DNSName(tokens[1].hasSuffix(".") ? tokens[1] : tokens[1] + ".")
        } catch {
            throw .invalidKey(source: source, reason: "bad key name \"\(tokens[1])\": \(error)")
        }
        var algorithmValue: TSIGAlgorithm?
        var secretValue: [UInt8]?
        var i = 3
        while i + 2 < tokens.count, tokens[i] != "}" {
            let (keyword, value, terminator) = (tokens[i], tokens[i + 1], tokens[i + 2])
            // A malformed file can put the secret anywhere: only words that look like
            // keywords or algorithm names are ever quoted back.
            guard terminator == ";" else {
                let shown =
                    keyword == "algorithm" && Self.isPlainWord(value) ? "algorithm \(value)" : Self.shown(keyword)
                throw .invalidKey(source: source, reason: "missing ';' after \(shown)")
            }
            switch keyword {
            case "algorithm":
                guard let a = TSIGAlgorithm(name: value) else {
                    let shown = Self.isPlainWord(value) ? "\"\(value)\"" : "<not shown>"
                    throw .invalidKey(
                        source: source, reason: "unsupported algorithm \(shown) (expected hmac-sha256 or hmac-sha512)")
                }
                algorithmValue = a
            case "secret":
                secretValue = try decodeSecret(value, source: source)
            default:
                throw .invalidKey(source: source, reason: "unknown statement \(Self.shown(keyword)) in key block")
            }
            i += 3
        }
        guard let algorithmValue else { throw .invalidKey(source: source, reason: "no algorithm statement") }
        guard let secretValue else { throw .invalidKey(source: source, reason: "no secret statement") }
        return TSIGKey(name: keyName, algorithm: algorithmValue, secret: secretValue)
    }

    /// A short identifier (`algorithm`, `hmac-sha256`): safe to quote in an error.
    static func isPlainWord(_ word: String) -> Bool {
        word.count <= 24 && !word.isEmpty
            && word.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }
    }

    /// `word` quoted when it is a plain keyword, else a placeholder (it may be the secret).
    static func shown(_ word: String) -> String {
        isPlainWord(word) ? "\"\(word)\"" : "<a word not shown>"
    }

    private static func decodeSecret(_ text: String, source: String) throws(DNSError) -> [UInt8] {
        guard let data = Data(base64Encoded: text), !data.isEmpty else {
            throw .invalidKey(source: source, reason: "the secret is not valid base64")
        }
        return Array(data)
    }

    /// Splits named.conf-style text into words, quoted strings (quotes removed) and `{ } ;`,
    /// dropping `#`, `//` and `/* */` comments.
    private static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var chars = Array(text)[...]
        func flush() {
            if !current.isEmpty { tokens.append(current) }
            current = ""
        }
        while let c = chars.popFirst() {
            switch c {
            case "\"":
                flush()
                var quoted = ""
                while let q = chars.popFirst(), q != "\"" { quoted.append(q) }
                tokens.append(quoted)
            case "{", "}", ";":
                flush()
                tokens.append(String(c))
            case "#":
                flush()
                while let q = chars.popFirst(), q != "\n" {}
            case "/" where chars.first == "/":
                flush()
                while let q = chars.popFirst(), q != "\n" {}
            case "/" where chars.first == "*":
                flush()
                chars.removeFirst()
                while let q = chars.popFirst() {
                    if q == "*" && chars.first == "/" {
                        chars.removeFirst()
                        break
                    }
                }
            case _ where c.isWhitespace:
                flush()
            default:
                current.append(c)
            }
        }
        flush()
        return tokens
    }
}
