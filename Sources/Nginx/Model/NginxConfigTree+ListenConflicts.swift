extension NginxConfigTree {
    /// The listens nginx refuses, in load order: `a duplicate listen` (one block, one
    /// address:port twice), `a duplicate default server for`, `duplicate listen options for`
    /// (socket-level parameters on two listens of one address:port); then the sockets that
    /// pass `nginx -t` but fail at start or reload with `bind() to ... failed (98: Address
    /// already in use)` on Linux: a wildcard beside a separately bound specific address of
    /// its port (any socket option implies `bind`; both sides with `reuseport` is fine), and
    /// any IPv4 listen beside a dual-stack `[::]:P ipv6only=off`. Empty when nginx would
    /// start. Host-name listens are left out: their addresses are unknown.
    public func listenConflicts() -> [NginxError] {
        duplicateListenConflicts() + bindConflicts()
    }

    private func duplicateListenConflicts() -> [NginxError] {
        struct SocketState {
            var defaultServer: NginxSourceLocation?
            var options: NginxSourceLocation?
        }
        var sockets: [NginxSocketKey: SocketState] = [:]
        var conflicts: [NginxError] = []
        for block in serverBlocks {
            // A block has a handful of listens: a list is cheaper than a table per block.
            var seen: [(key: NginxSocketKey, location: NginxSourceLocation)] = []
            for listen in block.listens {
                guard let source = listen.source else { continue }
                let key: NginxSocketKey
                switch listen.address {
                case .hostname: continue
                case .unix: key = NginxSocketKey(address: listen.address, port: 0)
                default: key = NginxSocketKey(address: listen.address, port: listen.port ?? 0)
                }
                // Described only for a conflict's message.
                var socket: String { listen.socketDescription }
                if let earlier = seen.first(where: { $0.key == key })?.location {
                    conflicts.append(
                        .listenConflict(message: "a duplicate listen \(socket)", at: source.location, earlier: earlier))
                    continue
                }
                seen.append((key, source.location))
                var state = sockets[key] ?? SocketState()
                if listen.defaultServer {
                    if let earlier = state.defaultServer {
                        conflicts.append(
                            .listenConflict(
                                message: "a duplicate default server for \(socket)", at: source.location,
                                earlier: earlier))
                    } else {
                        state.defaultServer = source.location
                    }
                }
                if !listen.socketParameters.isEmpty {
                    if let earlier = state.options {
                        conflicts.append(
                            .listenConflict(
                                message: "duplicate listen options for \(socket)", at: source.location, earlier: earlier
                            ))
                    } else {
                        state.options = source.location
                    }
                }
                sockets[key] = state
            }
        }
        return conflicts
    }

    private func bindConflicts() -> [NginxError] {
        struct Socket {
            var first: NginxSourceLocation
            var options = false
            var reuseport = false
        }
        // Per (family, port): each socket's first listen and whether any listen of it sets
        // socket options or reuseport, in load order.
        var order: [NginxSocketKey] = []
        var sockets: [NginxSocketKey: Socket] = [:]
        var dualStack: [Int: NginxSourceLocation] = [:]
        for block in serverBlocks {
            for listen in block.listens {
                guard let source = listen.source, listen.family != nil, let port = listen.port else { continue }
                let key = NginxSocketKey(address: listen.address, port: port)
                if sockets[key] == nil {
                    order.append(key)
                    sockets[key] = Socket(first: source.location)
                }
                if !listen.socketParameters.isEmpty { sockets[key]?.options = true }
                if listen.socketParameters.contains("reuseport") { sockets[key]?.reuseport = true }
                if listen.acceptsIPv4OnIPv6Socket && dualStack[port] == nil { dualStack[port] = source.location }
            }
        }
        var conflicts: [NginxError] = []
        for key in order {
            guard let socket = sockets[key] else { continue }
            if key.address.isWildcard {
                let specifics = order.filter {
                    $0.port == key.port && $0.address.family == key.address.family && !$0.address.isWildcard
                }
                for specific in specifics {
                    guard let bound = sockets[specific], bound.options, !(bound.reuseport && socket.reuseport) else {
                        continue
                    }
                    conflicts.append(
                        .listenConflict(
                            message: Self.bindFailure(key) + " (\(Self.nginxSocketText(specific)) is bound on its own)",
                            at: socket.first, earlier: bound.first))
                }
            }
            // A plain specific IPv4 address shares the IPv4 wildcard's socket when there is one.
            let ownSocket =
                key.address.isWildcard || socket.options
                || !order.contains { $0.port == key.port && $0.address == .wildcardIPv4 }
            if key.address.family == .ipv4, ownSocket, let dual = dualStack[key.port] {
                conflicts.append(
                    .listenConflict(
                        message: Self.bindFailure(key) + " ([::]:\(key.port) ipv6only=off holds the IPv4 port)",
                        at: socket.first, earlier: dual))
            }
        }
        return conflicts
    }

    /// nginx's own message, so an operator recognises it from the error log.
    private static func bindFailure(_ key: NginxSocketKey) -> String {
        "bind() to \(nginxSocketText(key)) failed (98: Address already in use) at start or reload, though nginx -t passes"
    }

    /// A socket as nginx prints it: `0.0.0.0:80`, `[::]:80`, `127.0.0.1:80`, `[::1]:80`.
    private static func nginxSocketText(_ key: NginxSocketKey) -> String {
        key.address == .wildcardIPv4 ? "0.0.0.0:\(key.port)" : "\(key.address):\(key.port)"
    }
}
