import Nginx
import Probe

/// Everything observed in one run: the inputs of the (pure) planner.
public struct Observation: Sendable {
    public var nginx: NginxConfigTree { didSet { nginxIndexes = nil } }
    /// The tree's indexes when they were built beside it (on the thread that read it); the
    /// planner builds them when they are not here. A new tree drops them.
    public private(set) var nginxIndexes: TreeIndexes?
    public var dns: DNSObservation
    /// The addresses on this machine's interfaces; nil skips the `address-not-on-host` check.
    public var interfaces: HostInterfaces?
    /// Probe results, when `--probe` was asked for.
    public var probes: [ProbeOutcome]?
    /// Where the records came from, for output.
    public var dnsSource: String
    /// Reloads an interrupted apply still owes (read from the state directory): files that
    /// were written but that nginx or the DNS server never loaded. The files cannot show it.
    public var pendingReloads: [String] = []
    /// Record sets apply withdrew whose TTL may not have passed (read from the state
    /// directory): their listens are removed only after it.
    public var withdrawals: [Withdrawal] = []
    /// The running nginx of this configuration, when there is one (see ``NginxRuntime``).
    public var nginxRuntime: NginxRuntime?
    /// Whether nginx's master runs this configuration; nil when not looked at (then no
    /// `nginx-not-running` finding is made).
    public var nginxMaster: NginxRuntime.MasterState?
    /// Checks that could not be made (another user's pid file or processes): the plan says so.
    public var checksNotRun: [CheckNotRun] = []

    public init(
        nginx: NginxConfigTree, dns: DNSObservation, interfaces: HostInterfaces?, probes: [ProbeOutcome]? = nil,
        dnsSource: String, nginxIndexes: TreeIndexes? = nil
    ) {
        self.nginx = nginx
        self.nginxIndexes = nginxIndexes
        self.dns = dns
        self.interfaces = interfaces
        self.probes = probes
        self.dnsSource = dnsSource
    }
}

/// A probe's result as the planner needs it (the Probe module's own types stay out of plans).
public struct ProbeOutcome: Sendable, Hashable {
    public var vhost: String
    public var family: String
    public var port: UInt16
    public var address: String
    /// nil when reachable; else what failed.
    public var failure: String?
    public var line: String
    /// What the client got, when it got a response: compared across families.
    public var response: ProbeResponse?

    public init(vhost: String, family: String, port: UInt16, address: String, failure: String?, line: String) {
        self.vhost = vhost
        self.family = family
        self.port = port
        self.address = address
        self.failure = failure
        self.line = line
    }
}
