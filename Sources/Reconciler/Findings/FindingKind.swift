/// Every kind of gap reconcile can name (DESIGN §6), with its stable code, slug and severity.
/// Codes and slugs never change meaning once released: alerts and scripts key on them.
public enum FindingKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// DNS publishes a family that the vhost's own block does not serve: the §1 outage.
    case advertisedNotServed = "advertised-not-served"
    /// A desired family is not served on a desired port (and not yet published either).
    case missingListen = "missing-listen"
    /// A desired family is served but DNS lacks one of the host's addresses for it.
    case missingRecord = "missing-record"
    /// DNS publishes an address of a desired family that is not one of the host's.
    case wrongAddress = "wrong-address"
    /// DNS publishes a family the desired state does not list (and nginx serves it).
    case undesiredRecord = "undesired-record"
    /// The vhost's own block listens on a family the desired state does not list.
    case undesiredListen = "undesired-listen"
    /// No server block names the vhost: not fixable automatically.
    case missingServerBlock = "missing-server-block"
    /// The vhost's own block listens, but nginx gives the request to another block.
    case answeredByOtherBlock = "answered-by-other-block"
    /// A desired host address is configured on no local interface.
    case addressNotOnHost = "address-not-on-host"
    /// A probe over a family and port failed.
    case unreachable = "unreachable"
    /// The name is a CNAME to a name outside the managed zones: reported, never "fixed".
    case externalCNAME = "external-cname"
    /// nginx serves a name inside a managed zone that the desired state does not list.
    case unmanagedVhost = "unmanaged-vhost"
    /// A file of nginx's configuration changed after the running nginx last loaded it: the
    /// files (which the plan reads) may claim what nginx does not serve.
    case configNotLoaded = "config-not-loaded"
    /// No nginx master runs the configuration (pid file absent, stale, or naming another
    /// program or configuration): a stopped nginx serves none of the vhosts.
    case nginxNotRunning = "nginx-not-running"
    /// The zone's authoritative servers publish different record sets for the vhost (a
    /// secondary behind its primary): resolvers' answers depend on the server they ask.
    case nameserversDisagree = "nameservers-disagree"
    /// An authoritative server of the zone does not answer, or answers without authority.
    case nameserverUnreachable = "nameserver-unreachable"
    /// The NS set resolvers get differs from the zone's apex NS set.
    case delegationMismatch = "delegation-mismatch"
    /// The listens, though `nginx -t` accepts them, make nginx fail to bind at start or reload
    /// (`listen P;` beside `listen [::]:P ipv6only=off;`, a wildcard beside a separately bound
    /// address): the sockets the model sees are not ones nginx can open.
    case listenConflict = "listen-conflict"
    /// IPv4 and IPv6 clients get different answers for the vhost on a port (certificate,
    /// status, redirect target or the start of the body): a family reaches a stale duplicate
    /// block, a default site or another backend (a probe finding).
    case familiesDiffer = "families-differ"
    /// A fleet host (DESIGN §15) did not withdraw an address because it is the last one of a
    /// family the vhost wants: withdrawing it would be the outage (its nginx does not serve it,
    /// or the host no longer serves the vhost).
    case lastAddress = "last-address"
    /// A fleet host found an address published that no registry record attributes to a host
    /// and that no host of the desired state has: no host withdraws it.
    case unattributedAddress = "unattributed-address"

    /// The stable code, written out per kind (never derived from the order of the cases, so
    /// adding a kind cannot renumber another); pinned by `FindingCodeTests`.
    public var code: String {
        switch self {
        case .advertisedNotServed: "RC001"
        case .missingListen: "RC002"
        case .missingRecord: "RC003"
        case .wrongAddress: "RC004"
        case .undesiredRecord: "RC005"
        case .undesiredListen: "RC006"
        case .missingServerBlock: "RC007"
        case .answeredByOtherBlock: "RC008"
        case .addressNotOnHost: "RC009"
        case .unreachable: "RC010"
        case .externalCNAME: "RC011"
        case .unmanagedVhost: "RC012"
        case .configNotLoaded: "RC013"
        case .nginxNotRunning: "RC014"
        case .nameserversDisagree: "RC015"
        case .nameserverUnreachable: "RC016"
        case .delegationMismatch: "RC017"
        case .listenConflict: "RC018"
        case .familiesDiffer: "RC019"
        case .lastAddress: "RC020"
        case .unattributedAddress: "RC021"
        }
    }

    public var severity: Severity {
        switch self {
        case .advertisedNotServed, .answeredByOtherBlock, .unreachable, .nginxNotRunning, .lastAddress: .critical
        case .missingListen, .missingRecord, .wrongAddress, .undesiredRecord, .missingServerBlock, .configNotLoaded,
            .listenConflict, .familiesDiffer:
            .error
        case .nameserversDisagree: .error
        case .undesiredListen, .addressNotOnHost, .externalCNAME, .nameserverUnreachable, .delegationMismatch,
            .unattributedAddress:
            .warning
        case .unmanagedVhost: .info
        }
    }

    public var slug: String { rawValue }
}

/// How bad a finding is. `critical` and `error` are drift (plan exits 2); `warning` and `info`
/// are reported but do not make the state "out of sync".
public enum Severity: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case critical, error, warning, info

    public var isDrift: Bool { self == .critical || self == .error }

    /// Most severe first: what `<` compares.
    var rank: Int {
        switch self {
        case .critical: 0
        case .error: 1
        case .warning: 2
        case .info: 3
        }
    }

    public static func < (l: Severity, r: Severity) -> Bool { l.rank < r.rank }
}
