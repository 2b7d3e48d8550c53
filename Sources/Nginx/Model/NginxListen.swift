/// One `listen` of a server block, with nginx's defaults applied.
public struct NginxListen: Sendable, Hashable {
    /// What the listen binds.
    public let address: NginxListenAddress
    /// The port; nil for UNIX sockets. A listen without a port means 80.
    public let port: Int?
    /// Every parameter after the address, as written (unquoted).
    public let parameters: [String]
    /// `default_server` (or its old spelling `default`).
    public let defaultServer: Bool
    /// `ssl`: the address:port speaks TLS (for every block on it).
    public let ssl: Bool
    /// `http2`.
    public let http2: Bool
    /// `quic` (nginx 1.25+).
    public let quic: Bool
    /// `proxy_protocol`.
    public let proxyProtocol: Bool
    /// For IPv6 sockets, whether only IPv6 is accepted: true unless `ipv6only=off`.
    /// Always false for other families.
    public let ipv6only: Bool
    /// Parameters that set options of the socket itself (`bind`, `backlog=`, `reuseport`,
    /// `deferred`, `ipv6only=`, ...): only one listen per address:port may carry them.
    public let socketParameters: [String]
    /// Where it is written; nil for nginx's implicit `listen *:80` of a block without one.
    public let source: NginxDirectiveSource?

    /// The socket-level parameters nginx allows on only one listen per address:port.
    public static let socketParameterNames: Set<String> = [
        "bind", "backlog", "rcvbuf", "sndbuf", "deferred", "accept_filter", "fastopen", "ipv6only",
        "reuseport", "so_keepalive", "setfib", "multipath",
    ]

    /// The parameters an editor copies from one family's listen to the other's: they are
    /// merged per address:port by nginx, so repeating them is always accepted.
    public static let perServerParameterNames: Set<String> = ["ssl", "http2", "quic", "proxy_protocol"]

    /// The listen nginx gives a block that has none: `*:80`, IPv4 only.
    ///
    /// (nginx uses `*:8000` when it does not run as root; production nginx does.)
    public static let implicitDefault = NginxListen(
        address: .wildcardIPv4, port: 80, parameters: [], source: nil)

    /// The family of the socket, nil for UNIX sockets and host names.
    public var family: AddressFamily? { address.family }

    /// Whether this is nginx's implicit listen rather than one written in the file.
    public var isImplicit: Bool { source == nil }

    /// Whether the socket also accepts the other family (`[::]:P ipv6only=off`).
    public var acceptsIPv4OnIPv6Socket: Bool { address.family == .ipv6 && !ipv6only }

    /// `address:port` as nginx prints it in its messages: `*:80`, `[::]:443`, `unix:/p`.
    public var socketDescription: String {
        guard let port else { return address.description }
        return "\(address):\(port)"
    }

    /// Builds a listen from its classified address, port and raw parameters.
    public init(address: NginxListenAddress, port: Int?, parameters: [String], source: NginxDirectiveSource?) {
        self.address = address
        self.port = port
        self.parameters = parameters
        self.source = source
        var defaultServer = false
        var ssl = false
        var http2 = false
        var quic = false
        var proxyProtocol = false
        var ipv6only = address.family == .ipv6
        var socketParameters: [String] = []
        for parameter in parameters {
            switch parameter {
            case "default_server", "default": defaultServer = true
            case "ssl": ssl = true
            case "http2": http2 = true
            case "quic": quic = true
            case "proxy_protocol": proxyProtocol = true
            default:
                let name = Self.parameterName(parameter)
                if name == "ipv6only" { ipv6only = address.family == .ipv6 && parameter != "ipv6only=off" }
                if Self.isSocketParameter(name) { socketParameters.append(parameter) }
            }
        }
        self.defaultServer = defaultServer
        self.ssl = ssl
        self.http2 = http2
        self.quic = quic
        self.proxyProtocol = proxyProtocol
        self.ipv6only = ipv6only
        self.socketParameters = socketParameters
    }

    /// Whether `name` is one of ``socketParameterNames`` (without hashing).
    static func isSocketParameter(_ name: String) -> Bool {
        switch name {
        case "bind", "backlog", "rcvbuf", "sndbuf", "deferred", "accept_filter", "fastopen", "ipv6only", "reuseport",
            "so_keepalive", "setfib", "multipath":
            return true
        default:
            return false
        }
    }

    /// `backlog=511` -> `backlog`.
    static func parameterName(_ parameter: String) -> String {
        guard let equals = parameter.utf8.firstIndex(of: UInt8(ascii: "=")) else { return parameter }
        return String(parameter[..<equals])
    }
}
