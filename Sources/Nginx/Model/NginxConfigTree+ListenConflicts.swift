extension NginxConfigTree {
    /// The listens nginx refuses at startup, in load order: `a duplicate listen` (one block,
    /// one address:port twice), `a duplicate default server for`, `duplicate listen options
    /// for` (socket-level parameters on two listens of one address:port). Empty when nginx
    /// would accept the listens. Host-name listens are left out: their addresses are unknown.
    public func listenConflicts() -> [NginxError] {
        struct SocketState {
            var defaultServer: NginxSourceLocation?
            var options: NginxSourceLocation?
        }
        var sockets: [NginxSocketKey: SocketState] = [:]
        var conflicts: [NginxError] = []
        for block in serverBlocks {
            var seen: [NginxSocketKey: NginxSourceLocation] = [:]
            for listen in block.listens {
                guard let source = listen.source else { continue }
                let key: NginxSocketKey
                switch listen.address {
                case .hostname: continue
                case .unix: key = NginxSocketKey(address: listen.address, port: 0)
                default: key = NginxSocketKey(address: listen.address, port: listen.port ?? 0)
                }
                let socket = listen.socketDescription
                if let earlier = seen[key] {
                    conflicts.append(.listenConflict(message: "a duplicate listen \(socket)", at: source.location, earlier: earlier))
                    continue
                }
                seen[key] = source.location
                var state = sockets[key] ?? SocketState()
                if listen.defaultServer {
                    if let earlier = state.defaultServer {
                        conflicts.append(
                            .listenConflict(message: "a duplicate default server for \(socket)", at: source.location, earlier: earlier))
                    } else {
                        state.defaultServer = source.location
                    }
                }
                if !listen.socketParameters.isEmpty {
                    if let earlier = state.options {
                        conflicts.append(
                            .listenConflict(message: "duplicate listen options for \(socket)", at: source.location, earlier: earlier))
                    } else {
                        state.options = source.location
                    }
                }
                sockets[key] = state
            }
        }
        return conflicts
    }
}
