extension NginxListen {
    /// Parameters written alone (a `switch`, not a `Set`: no hashing per listen).
    private static func isFlagParameter(_ parameter: String) -> Bool {
        switch parameter {
        case "default_server", "default", "ssl", "http2", "quic", "proxy_protocol", "spdy", "bind", "deferred",
            "reuseport", "multipath":
            return true
        default:
            return false
        }
    }

    /// Parameters written `name=value`.
    private static func isValueParameter(_ name: String) -> Bool {
        switch name {
        case "backlog", "rcvbuf", "sndbuf", "accept_filter", "fastopen", "ipv6only", "so_keepalive", "setfib":
            return true
        default:
            return false
        }
    }

    /// Reads a `listen` from its arguments as nginx's `ngx_parse_url` does: `unix:` paths;
    /// `[v6]` or `[v6]:port`; `addr:port` split at the first colon; a bare number is a port
    /// on `*`; anything else is an address (or host name) on port 80.
    static func parse(arguments: [String], source: NginxDirectiveSource) -> Result<NginxListen, NginxError> {
        let text = source.text
        let at = source.location
        func invalid(_ reason: String) -> Result<NginxListen, NginxError> {
            .failure(.invalidListen(text: text, reason: reason, at: at))
        }
        guard let spec = arguments.first, !spec.isEmpty else { return invalid("no address or port") }
        let parameters = Array(arguments.dropFirst())
        for parameter in parameters {
            let name = parameterName(parameter)
            let known =
                parameter.utf8.contains(UInt8(ascii: "=")) ? isValueParameter(name) : isFlagParameter(parameter)
            if !known {
                return invalid("unknown parameter \"\(parameter)\" (a missing \";\" before it?)")
            }
            if name == "ipv6only" && parameter != "ipv6only=on" && parameter != "ipv6only=off" {
                return invalid("ipv6only must be \"on\" or \"off\"")
            }
        }
        if spec.hasPrefix("unix:") {
            let path = String(spec.dropFirst(5))
            guard !path.isEmpty else { return invalid("no path after \"unix:\"") }
            return .success(NginxListen(address: .unix(path), port: nil, parameters: parameters, source: source))
        }
        var host: Substring
        var portText: Substring?
        if spec.hasPrefix("[") {
            guard let close = spec.firstIndex(of: "]") else { return invalid("unterminated IPv6 address") }
            host = spec[spec.index(after: spec.startIndex)..<close]
            let rest = spec[spec.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return invalid("unexpected text after \"]\"") }
                portText = rest.dropFirst()
            }
            // `[::]` is by far the most common form; it needs no inet_pton.
            if host == "::" { return finish(.wildcardIPv6, portText, parameters, source) }
            guard let canonical = NginxListenAddress.canonicalIPv6(String(host)) else {
                return invalid("\"\(host)\" is not an IPv6 address")
            }
            let address: NginxListenAddress = canonical == "::" ? .wildcardIPv6 : .ipv6(canonical)
            return finish(address, portText, parameters, source)
        }
        if let colon = spec.firstIndex(of: ":") {
            host = spec[..<colon]
            portText = spec[spec.index(after: colon)...]
        } else if spec.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            return finish(.wildcardIPv4, Substring(spec), parameters, source)
        } else {
            host = Substring(spec)
        }
        guard !host.isEmpty else { return invalid("no host before the port") }
        if host == "*" { return finish(.wildcardIPv4, portText, parameters, source) }
        if let canonical = NginxListenAddress.canonicalIPv4(String(host)) {
            return finish(canonical == "0.0.0.0" ? .wildcardIPv4 : .ipv4(canonical), portText, parameters, source)
        }
        let validHostname = host.utf8.allSatisfy {
            ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46
                || $0 == 95
        }
        guard validHostname else { return invalid("\"\(host)\" is neither an address nor a host name") }
        return finish(.hostname(String(host).lowercased()), portText, parameters, source)
    }

    private static func finish(
        _ address: NginxListenAddress, _ portText: Substring?, _ parameters: [String], _ source: NginxDirectiveSource
    ) -> Result<NginxListen, NginxError> {
        var port = 80
        if let portText {
            guard !portText.isEmpty, portText.utf8.count <= 5, portText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                let value = Int(portText), value >= 1, value <= 65535
            else {
                return .failure(
                    .invalidListen(
                        text: source.text, reason: "invalid port \"\(portText)\" (expected 1-65535)",
                        at: source.location))
            }
            port = value
        }
        return .success(NginxListen(address: address, port: port, parameters: parameters, source: source))
    }
}
