import DNS
import StrictYAML

/// What the operator wants, as read and checked from the desired-state directory (DESIGN §3).
/// Every value here has been validated: nothing in it can inject into nginx syntax or a DNS
/// message.
public struct DesiredState: Sendable {
    public var host: HostAddresses
    public var nginx: NginxSettings
    public var dns: DNSSettings
    /// Sorted by name.
    public var vhosts: [Vhost]
    /// The YAML files read, in load order.
    public var files: [String]
    /// SHA-256 over each file's path and the bytes loaded from it, in load order.
    public var digest: String

    public init(
        host: HostAddresses, nginx: NginxSettings, dns: DNSSettings, vhosts: [Vhost], files: [String], digest: String
    ) {
        self.host = host
        self.nginx = nginx
        self.dns = dns
        self.vhosts = vhosts
        self.files = files
        self.digest = digest
    }
}

/// This machine's public addresses, per family.
public struct HostAddresses: Sendable, Hashable {
    public var ipv4: [IPv4Bytes]
    public var ipv6: [IPv6Bytes]

    public init(ipv4: [IPv4Bytes], ipv6: [IPv6Bytes]) {
        self.ipv4 = ipv4
        self.ipv6 = ipv6
    }

    /// The addresses of `family` in canonical text form.
    public func addresses(_ family: AddressFamily) -> [String] {
        family == .ipv4 ? ipv4.map(\.description) : ipv6.map(\.description)
    }
}

/// Where nginx's configuration is and how to test and reload it.
public struct NginxSettings: Sendable, Hashable {
    /// Absolute path of the main configuration file.
    public var config: String
    /// argv of the configuration test (default `nginx -t -q -c <config>`).
    public var test: [String]
    /// argv of the reload (default `nginx -s reload -c <config>`).
    public var reload: [String]
    /// `nginx.limits`: bounds on reading the configuration.
    public var limits: NginxReadLimits

    public init(config: String, test: [String]? = nil, reload: [String]? = nil, limits: NginxReadLimits = .init()) {
        self.config = config
        self.test = test ?? ["nginx", "-t", "-q", "-c", config]
        self.reload = reload ?? ["nginx", "-s", "reload", "-c", config]
        self.limits = limits
    }
}

/// `nginx.limits`: how deep, how large one file and how large all files of nginx's
/// configuration may be before reading it is refused. Nil keeps the nginx engine's default
/// (1,000 levels, 64 MiB, 512 MiB).
public struct NginxReadLimits: Sendable, Hashable {
    public var depth: Int?
    public var fileBytes: Int?
    public var treeBytes: Int?

    public init(depth: Int? = nil, fileBytes: Int? = nil, treeBytes: Int? = nil) {
        self.depth = depth
        self.fileBytes = fileBytes
        self.treeBytes = treeBytes
    }
}

/// How DNS is read and written.
public struct DNSSettings: Sendable, Hashable {
    public var provider: DNSProviderSettings
    /// The zones reconcile manages; every vhost lies in one of them.
    public var zones: [DNSName]
    /// TTL of the records reconcile writes.
    public var ttl: UInt32
    /// `dns.limits`: bounds on each zone transfer.
    public var transferLimits: ZoneTransferLimits

    public init(
        provider: DNSProviderSettings, zones: [DNSName], ttl: UInt32, transferLimits: ZoneTransferLimits = .init()
    ) {
        self.provider = provider
        self.zones = zones
        self.ttl = ttl
        self.transferLimits = transferLimits
    }

    /// The most specific managed zone containing `name`, if any.
    public func zone(containing name: DNSName) -> DNSName? {
        zones.filter { name.isSubdomain(of: $0) }.max { $0.wire.count < $1.wire.count }
    }
}

public enum DNSProviderSettings: Sendable, Hashable {
    /// A server spoken to with queries, AXFR and RFC 2136 UPDATE. No key: read-only.
    case rfc2136(server: DNSServerAddress, tsig: TSIGSettings?)
    /// An RFC 1035 master file edited in place, then an optional reload command.
    case zonefile(path: String, reload: [String]?)
}

/// The TSIG key used to sign updates. The secret itself is never held here: only the file.
public struct TSIGSettings: Sendable, Hashable {
    public enum Algorithm: String, Sendable, Hashable, CaseIterable {
        case hmacSHA256 = "hmac-sha256"
        case hmacSHA512 = "hmac-sha512"
    }

    public var name: DNSName
    public var algorithm: Algorithm
    /// Absolute path of a file holding the base64 secret or a BIND `key` clause.
    public var secretFile: String

    public init(name: DNSName, algorithm: Algorithm, secretFile: String) {
        self.name = name
        self.algorithm = algorithm
        self.secretFile = secretFile
    }
}

/// One virtual host: a name nginx must serve and DNS must publish, per family and port.
public struct Vhost: Sendable, Hashable {
    /// Lowercase host name without a trailing dot; may start with `*.`.
    public var name: String
    public var dnsName: DNSName
    /// Sorted, at least one.
    public var families: [AddressFamily]
    /// Sorted, at least one.
    public var ports: [UInt16]
    /// The managed zone the name lies in.
    public var zone: DNSName
    /// Where the vhost is declared.
    public var declaredAt: YAMLMark

    public init(
        name: String, dnsName: DNSName, families: [AddressFamily], ports: [UInt16], zone: DNSName,
        declaredAt: YAMLMark
    ) {
        self.name = name
        self.dnsName = dnsName
        self.families = families
        self.ports = ports
        self.zone = zone
        self.declaredAt = declaredAt
    }

    public var isWildcard: Bool { name.hasPrefix("*.") }
}
