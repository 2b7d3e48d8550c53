import DNS
import DesiredState

/// The desired state `init` writes, as YAML text: every value double-quoted with
/// ``YAMLText/quoted(_:)`` or a number or family name reconcile made itself, every line of
/// outside text in a comment escaped with ``YAMLText/comment(_:)``. Pure: a function of what
/// was observed.
public struct DesiredStateDraft: Sendable {
    /// A vhost and where each of its values came from.
    public struct Vhost: Sendable, Equatable {
        public let name: String
        public let families: [AddressFamily]
        public let ports: [UInt16]
        /// Comment lines (unescaped; escaped when rendered).
        public let sources: [String]
    }

    public var host: HostAddressSelection
    /// Where the host's addresses came from, for the comment above them.
    public var hostSource: String
    public var nginxConfig: String
    /// The `dns:` section, as the command line gave it.
    public var dns: DNSSettings
    public var vhosts: [Vhost]
    public var skipped: [NginxNameInventory.Skipped]

    public init(
        host: HostAddressSelection, hostSource: String, nginxConfig: String, dns: DNSSettings, vhosts: [Vhost],
        skipped: [NginxNameInventory.Skipped]
    ) {
        self.host = host
        self.hostSource = hostSource
        self.nginxConfig = nginxConfig
        self.dns = dns
        self.vhosts = vhosts
        self.skipped = skipped
    }

    /// A vhost of `inventory` with its families from what DNS publishes for it (A: ipv4,
    /// AAAA: ipv6), or from its listens when DNS publishes neither.
    public static func vhost(_ name: NginxNameInventory.Name, published: DNSObservation) -> Vhost {
        var families: [AddressFamily] = []
        var dnsNote: String
        if let owner = try? DNSName(name.name + "."),
            case .records(let v4, let v6, let chain) = published.resolve(owner)
        {
            let a = v4.map { $0.data.presentation(as: .a) }
            let aaaa = v6.map { $0.data.presentation(as: .aaaa) }
            if !a.isEmpty { families.append(.ipv4) }
            if !aaaa.isEmpty { families.append(.ipv6) }
            dnsNote = [
                a.isEmpty ? "no A" : "A \(a.joined(separator: " ")) published",
                aaaa.isEmpty ? "no AAAA" : "AAAA \(aaaa.joined(separator: " ")) published",
            ].joined(separator: "; ")
            if let chain { dnsNote += " (via \(chain))" }
        } else {
            dnsNote = "a CNAME leaves the managed zones"
        }
        if families.isEmpty {
            families = name.listenFamilies.isEmpty ? [.ipv4] : name.listenFamilies
            dnsNote += "; families from the listens, so plan will ask DNS to publish them"
        }
        return Vhost(
            name: name.name, families: families, ports: name.ports, sources: name.sources + ["DNS: " + dnsNote])
    }

    /// The YAML text.
    public var text: String {
        var lines = [
            "# Written by `reconcile init` from this host: nginx's configuration and what DNS",
            "# publishes. Review it (each value says where it came from), then commit it.",
            "host:",
            "  # " + YAMLText.comment(hostSource),
        ]
        lines += host.notes.map { "  # " + YAMLText.comment($0) }
        if !host.ipv4.isEmpty { lines.append("  ipv4: " + YAMLText.list(host.ipv4)) }
        if !host.ipv6.isEmpty { lines.append("  ipv6: " + YAMLText.list(host.ipv6)) }
        lines += ["", "nginx:", "  # given with --nginx", "  config: " + YAMLText.quoted(nginxConfig), ""]
        lines += ["dns:", "  # given with --provider, --server or --zonefile, --zone and --nameserver"]
        lines += dnsLines(dns)
        lines += ["", "# Each vhost and the address families DNS publishes for it: its declared intent."]
        if vhosts.isEmpty {
            lines.append("# No server_name of the tree lies in the managed zones.")
            lines.append("vhosts: {}")
        } else {
            lines.append("vhosts:")
        }
        for vhost in vhosts {
            lines += vhost.sources.map { "  # " + YAMLText.comment($0) }
            let families = vhost.families.map(\.rawValue).joined(separator: ", ")
            let ports = vhost.ports.map(String.init).joined(separator: ", ")
            lines.append("  \(YAMLText.quoted(vhost.name)): {families: [\(families)], ports: [\(ports)]}")
        }
        if !skipped.isEmpty {
            lines += ["", "# Not written as vhosts, for you to decide:"]
            lines += skipped.map {
                "#   " + YAMLText.comment("\($0.location) \(YAMLText.quoted($0.text)): \($0.reason)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The lines under `dns:`.
    func dnsLines(_ dns: DNSSettings) -> [String] {
        var lines: [String] = []
        switch dns.provider {
        case .rfc2136(let server, _):
            lines += ["  provider: \"rfc2136\"", "  server: " + YAMLText.quoted(server.description)]
            lines.append("  # Add tsig: {name, algorithm, secret-file} to let apply change records.")
        case .authoritative(let server):
            lines.append("  provider: \"authoritative\"")
            if let server { lines.append("  server: " + YAMLText.quoted(server.description)) }
        case .zonefile(let path, _):
            lines += ["  provider: \"zonefile\"", "  zonefile:", "    path: " + YAMLText.quoted(path)]
        }
        lines.append(
            "  zones: "
                + YAMLText.list(
                    dns.zones.map { zone in
                        let text = zone.description
                        return text.hasSuffix(".") ? String(text.dropLast()) : text
                    }))
        if case .listed(let servers) = dns.nameservers, !servers.isEmpty {
            lines.append("  nameservers: " + YAMLText.list(servers.map(\.description)))
        }
        return lines
    }
}
