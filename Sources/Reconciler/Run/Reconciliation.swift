import DesiredState
import Foundation
import Probe

/// One reconciliation, as a value a test can run without a process: load the desired state,
/// observe nginx and DNS, probe (when asked), plan. `plan`, `probe` and `apply` all start here;
/// the command line only fills in ``Settings`` and prints the ``Result``.
public struct Reconciliation: Sendable {
    /// What a run reads and how.
    public struct Settings: Sendable {
        /// The directory of desired-state YAML files.
        public var desiredDirectory: String
        /// apply's state directory (plan and probe read its markers of an interrupted apply).
        public var stateDirectory: String
        /// Seconds to wait for each DNS answer.
        public var dnsTimeout: Double = 3
        /// Check that the host's addresses are on this machine's interfaces.
        public var checkInterfaces = true
        /// Set by apply, which holds the state directory's lock while it plans.
        public var holdsStateLock = false
        /// Write the zone file through symlinks that leave its directory (apply's flag).
        public var allowSymlinksOutside = false
        /// Paths in the plan are shown relative to this directory.
        public var displayBase: String
        /// Set when the run probes the vhosts.
        public var probe: ProbeSettings?
        /// With `hosts:`, the host this run is (`--host`); nil: the one on this machine's interfaces.
        public var host: String?
        /// With `hosts:`, withdraw this host's address of what its nginx does not serve.
        public var withdrawUnhealthy = false

        public init(desiredDirectory: String, stateDirectory: String, displayBase: String) {
            self.desiredDirectory = desiredDirectory
            self.stateDirectory = stateDirectory
            self.displayBase = displayBase
        }
    }

    /// How the vhosts are probed (DESIGN §8).
    public struct ProbeSettings: Sendable {
        /// Seconds each probe may take in all.
        public var timeout: Double
        /// How many probes run at once.
        public var concurrency: Int
        /// PEM file of the certificate authorities to trust instead of the system store.
        public var caFile: String?

        public init(timeout: Double = 5, concurrency: Int = 64, caFile: String? = nil) {
            self.timeout = timeout
            self.concurrency = concurrency
            self.caFile = caFile
        }

        /// Probes `targets`; an unreadable or non-PEM CA file is an error of the run, not a
        /// failure of every probe.
        public func probe(_ targets: [ProbeTarget]) async throws(ReconcileError) -> [ProbeResult] {
            if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
                throw .other("cannot read the CA file \(caFile) given with --ca-file")
            }
            if let caFile, let reason = Prober.unusableCAFile(caFile) { throw .other(reason) }
            let prober = Prober(timeout: .milliseconds(Int64(timeout * 1000)), concurrency: concurrency, caFile: caFile)
            return await prober.probe(targets)
        }
    }

    /// Everything one run computed.
    public struct Result: Sendable {
        public let desired: DesiredState
        public let provider: any DNSProvider
        public let observation: Observation
        public let plan: Plan
        /// In target order; empty when the run did not probe.
        public let probes: [ProbeResult]
        /// What the probe planner decided (skipped vhosts, fallback addresses); also in the plan's notes.
        public let probeNotes: [String]
    }

    public var settings: Settings
    /// Called with each step as it starts ("reading the desired state in …", "planning").
    public var progress: @Sendable (String) -> Void = { _ in }
    /// The host apply changes (the DNS writers reach their fault points through it too).
    public var effects: any HostEffects = SystemEffects()

    public init(settings: Settings) {
        self.settings = settings
    }

    /// The desired state, strictly loaded.
    public func loadDesired() throws(ReconcileError) -> DesiredState {
        do {
            return try DesiredStateLoader().load(directory: settings.desiredDirectory)
        } catch {
            throw .desiredState(error)
        }
    }

    /// Loads, observes, probes when asked, and plans.
    public func run() async throws(ReconcileError) -> Result {
        progress("reading the desired state in \(settings.desiredDirectory)")
        // nginx's tree and the zones are read on the other core while the (large) vhost lists load.
        let sectionsAhead = DesiredStateLoader().settingsAhead(directory: settings.desiredDirectory)
        let gitAhead = Fingerprints.gitCommitAhead(directory: settings.desiredDirectory)
        let treeAhead = sectionsAhead.nginx.map(Observer.TreeAhead.init)
        let timeout = Duration.milliseconds(Int(settings.dnsTimeout * 1000))
        let zonesAhead = sectionsAhead.dns.flatMap { dns in
            (try? makeProvider(dns, timeout: timeout)).flatMap { Observer.ZonesAhead(dns, provider: $0) }
        }
        // One host of a fleet reconciles its own vhosts and writes DNS compare-and-swap (DESIGN §15).
        let desired = try FleetRun.scope(try loadDesired(), host: settings.host)
        let ahead = zonesAhead.flatMap { $0.settings == desired.dns && desired.fleet == nil ? $0 : nil }
        let provider: any DNSProvider
        if let ahead {
            provider = ahead.provider
        } else {
            provider = FleetRun.provider(
                try makeProvider(desired.dns, timeout: timeout), desired: desired, directory: settings.desiredDirectory)
        }
        var observer = Observer(desired: desired, dns: provider)
        observer.checkInterfaces = settings.checkInterfaces
        observer.dnsTimeout = timeout
        observer.progress = progress
        observer.stateDirectory = StateDirectory(path: settings.stateDirectory)
        observer.holdsStateLock = settings.holdsStateLock
        observer.treeAhead = treeAhead
        observer.zonesAhead = ahead
        var observed = try await observer.observe()
        var probes: [ProbeResult] = []
        var probeNotes: [String] = []
        if let probe = settings.probe {
            let schedule = ProbePlanner(desired: desired, dns: observed.dns, nginx: observed.nginx).schedule()
            progress("probing \(schedule.targets.count) address\(schedule.targets.count == 1 ? "" : "es")")
            probes = try await probe.probe(FleetRun.probeTargets(schedule.targets, desired: desired))
            probeNotes = schedule.notes
            observed.probes = probes.map(ProbeOutcome.init)
        }
        progress("planning")
        let fingerprint = Fingerprints.desiredState(desired, git: await gitAhead.value)
        var plan = FleetRun.plan(
            Planner(
                desired: desired, observation: observed, fingerprint: fingerprint, displayBase: settings.displayBase),
            provider: provider, directory: settings.desiredDirectory, withdrawUnhealthy: settings.withdrawUnhealthy)
        plan.notes += probeNotes
        return Result(
            desired: desired, provider: provider, observation: observed, plan: plan, probes: probes,
            probeNotes: probeNotes)
    }

    /// The DNS provider `dns` names, with this run's timeout and host.
    func makeProvider(_ dns: DNSSettings, timeout: Duration) throws(ReconcileError) -> any DNSProvider {
        try DNSProviders.make(
            for: dns, timeout: timeout, allowSymlinksOutside: settings.allowSymlinksOutside, effects: effects)
    }

    /// The metrics of a run (DESIGN §9, docs/metrics.md). `result` is nil when the run failed
    /// before it had a plan (the desired commit is then read from the directory, so an alert
    /// on a failed run still points at the commit that broke it); `findings` narrows the
    /// plan's findings (probe reports only its own).
    public func metrics(
        mode: String, result: Result?, success: Bool, startedAt: Date, changesApplied: Int = 0,
        findings: (Finding) -> Bool = { _ in true }
    ) -> MetricsSnapshot {
        let commit =
            result.map { $0.plan.desired.gitCommit }
            ?? Fingerprints.gitCommit(directory: settings.desiredDirectory).commit
        var snapshot = MetricsSnapshot(
            mode: mode, findings: result?.plan.findings.filter(findings) ?? [], startedAt: startedAt,
            finishedAt: Date(),
            success: success, probes: (result?.probes ?? []).map(MetricsSnapshot.ProbeSample.init),
            changesApplied: changesApplied, desiredCommit: commit,
            pendingReloads: result?.plan.pendingReloads?.count ?? 0,
            planned: result != nil)
        snapshot.checksNotRun = (result?.plan.checksNotRun ?? []).map(\.check)
        snapshot.nameservers =
            result.map { MetricsSnapshot.nameserverSamples($0.observation, names: $0.desired.vhosts.map(\.dnsName)) }
            ?? []
        return snapshot
    }
}

extension ProbeOutcome {
    /// A probe result as the planner takes it: the failure in words, the aligned line as evidence.
    public init(_ result: ProbeResult) {
        self.init(
            vhost: result.target.vhost, family: result.target.family.rawValue, port: result.target.port,
            address: result.target.address, failure: result.failure?.description, line: result.line)
        response = result.response
    }
}
