import DNS
import ProcessRunning
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
    /// Every file path the YAML names, with its key and place, for errors about the file.
    public var paths: [NamedPath] = []
    /// `hosts:` (DESIGN §15); nil for the one-host form `host:`.
    public var fleet: Fleet?

    /// A path given in the YAML: `nginx.config` at `desired-state/reconcile.yaml:3:11`.
    public struct NamedPath: Sendable, Hashable {
        /// The key, dotted: `nginx.config`, `dns.zonefile.path`, `dns.tsig.secret-file`.
        public var key: String
        /// Absolute, as resolved against the YAML file's directory.
        public var path: String
        /// As written in the YAML.
        public var written: String
        /// Where: `file:line:column`.
        public var source: String

        public init(key: String, path: String, written: String, source: String) {
            self.key = key
            self.path = path
            self.written = written
            self.source = source
        }
    }

    /// Where the YAML names `key`, as `file:line:column` (the key when it names no path).
    public func source(of key: String) -> String { paths.first { $0.key == key }?.source ?? key }

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
        let nginx = ProgramSearch.resolve("nginx") ?? "nginx"
        self.test = test ?? [nginx, "-t", "-q", "-c", config]
        self.reload = reload ?? [nginx, "-s", "reload", "-c", config]
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
    /// The zone's authoritative servers, each asked directly (DESIGN §14).
    public var nameservers: Nameservers
    /// The recursive resolver used to find NS names outside the zone and the NS set the world
    /// sees; nil: the first `nameserver` of /etc/resolv.conf, asked only when needed.
    public var resolver: DNSServerAddress?
    /// How the zone is read from `dns.server`.
    public var transfer: ZoneRead

    public init(
        provider: DNSProviderSettings, zones: [DNSName], ttl: UInt32, nameservers: Nameservers? = nil,
        resolver: DNSServerAddress? = nil, transfer: ZoneRead = .axfr,
        transferLimits: ZoneTransferLimits = .init()
    ) {
        self.provider = provider
        self.zones = zones
        self.ttl = ttl
        self.nameservers = nameservers ?? provider.defaultNameservers
        self.resolver = resolver
        self.transfer = transfer
        self.transferLimits = transferLimits
    }

    /// `dns.nameservers`.
    public enum Nameservers: Sendable, Hashable {
        /// The zone's NS set: its apex NS records, each name's addresses from the zone's own
        /// data or the resolver.
        case auto
        /// These addresses; empty: only `dns.server`.
        case listed([DNSServerAddress])
    }

    /// `dns.transfer`.
    public enum ZoneRead: String, Sendable, Hashable {
        /// AXFR, falling back to per-name queries only when unsigned and refused.
        case axfr
        /// Per-name queries (signed with the key when there is one), never AXFR.
        case queries
    }

    /// The most specific managed zone containing `name`, if any.
    public func zone(containing name: DNSName) -> DNSName? { Self.zone(in: zones, containing: name) }

    /// The most specific of `zones` containing `name`, if any.
    static func zone(in zones: [DNSName], containing name: DNSName) -> DNSName? {
        // A scan rather than filter and max: it runs once per vhost.
        var found: DNSName?
        for zone in zones where name.isSubdomain(of: zone) {
            if let best = found, best.wire.count >= zone.wire.count { continue }
            found = zone
        }
        return found
    }
}

public enum DNSProviderSettings: Sendable, Hashable {
    /// A server spoken to with queries, AXFR and RFC 2136 UPDATE. No key: read-only.
    case rfc2136(server: DNSServerAddress, tsig: TSIGSettings?)
    /// An RFC 1035 master file edited in place, then an optional reload command.
    case zonefile(path: String, reload: [String]?)
    /// Read-only: the zone as its authoritative servers publish it, wherever it is hosted;
    /// `server`, when given, is where the apex NS set is read (else through the resolver).
    case authoritative(server: DNSServerAddress?)

    /// `dns.nameservers` when not given: the NS set, except for a zone file (which names no
    /// server of its own).
    public var defaultNameservers: DNSSettings.Nameservers {
        if case .zonefile = self { return .listed([]) }
        return .auto
    }
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
    /// Where the YAML gives `name` (`file:line:column`), for an error when the key file disagrees.
    public var nameSource: String?
    /// Where the YAML gives `algorithm`; nil when it is left to its default.
    public var algorithmSource: String?

    public init(
        name: DNSName, algorithm: Algorithm, secretFile: String, nameSource: String? = nil,
        algorithmSource: String? = nil
    ) {
        self.name = name
        self.algorithm = algorithm
        self.secretFile = secretFile
        self.nameSource = nameSource
        self.algorithmSource = algorithmSource
    }

    /// Two settings are equal when they name the same key; where the YAML says so does not count.
    public static func == (l: TSIGSettings, r: TSIGSettings) -> Bool {
        l.name == r.name && l.algorithm == r.algorithm && l.secretFile == r.secretFile
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(algorithm)
        hasher.combine(secretFile)
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

extension DesiredState {
    /// The paths the YAML names that do not exist here. A relative path lies in the desired
    /// state's own tree, which travels with it: missing is an error. An absolute one may exist
    /// only on the host that runs reconcile (validate often runs in CI): missing is a warning.
    public func missingPaths(
        exists: (String) -> Bool
    ) -> (errors: [DesiredStateError.Problem], warnings: [DesiredStateError.Problem]) {
        var errors: [DesiredStateError.Problem] = []
        var warnings: [DesiredStateError.Problem] = []
        for named in paths where !exists(named.path) {
            let place = Self.problem(at: named.source)
            if named.written.hasPrefix("/") {
                warnings.append(
                    .init(
                        file: place.file, line: place.line, column: place.column,
                        message:
                            "\(named.key) names \(named.path), which does not exist on this machine (fine if only the host that runs reconcile has it)"
                    ))
            } else {
                errors.append(
                    .init(
                        file: place.file, line: place.line, column: place.column,
                        message:
                            "\(named.key) names \(named.written), which does not exist (resolved to \(named.path))"))
            }
        }
        return (errors, warnings)
    }

    /// `file:line:column` split back into its parts.
    static func problem(at source: String) -> (file: String, line: Int?, column: Int?) {
        let parts = source.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let line = Int(parts[parts.count - 2]), let column = Int(parts[parts.count - 1]) else {
            return (source, nil, nil)
        }
        return (parts.dropLast(2).joined(separator: ":"), line, column)
    }
}
