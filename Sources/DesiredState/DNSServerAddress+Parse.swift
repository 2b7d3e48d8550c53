import DNS

extension DNSServerAddress {
    /// Parses `127.0.0.1`, `127.0.0.1:5353`, `::1`, `[::1]` or `[::1]:5353` (port default 53).
    /// Host names are refused: the server is named by its address.
    public static func parse(_ text: String) -> DNSServerAddress? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let inner = String(text[text.index(after: text.startIndex)..<close])
            guard let v6 = IPv6Bytes(inner) else { return nil }
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return try? DNSServerAddress(host: v6.description, port: 53) }
            guard rest.hasPrefix(":"), let port = parsePort(String(rest.dropFirst())) else { return nil }
            return try? DNSServerAddress(host: v6.description, port: port)
        }
        if let v6 = IPv6Bytes(text) { return try? DNSServerAddress(host: v6.description, port: 53) }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard let v4 = IPv4Bytes(String(parts[0])), parts.count <= 2 else { return nil }
        if parts.count == 1 { return try? DNSServerAddress(host: v4.description, port: 53) }
        guard let port = parsePort(String(parts[1])) else { return nil }
        return try? DNSServerAddress(host: v4.description, port: port)
    }

    static func parsePort(_ text: String) -> UInt16? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }),
            text == "0" || !text.hasPrefix("0"), let value = Int(text), (1...65535).contains(value)
        else { return nil }
        return UInt16(value)
    }
}
