import DNS
import DesiredState
import Foundation
import Nginx

/// Gathers everything a plan needs: nginx's tree, the managed zones, the host's interfaces.
/// The only place planning touches disk and network.
public struct Observer: Sendable {
    public let desired: DesiredState
    public let dns: any DNSProvider
    public var checkInterfaces = true
    /// apply's state directory, read for reloads an interrupted apply still owes.
    public var stateDirectory: StateDirectory?
    /// This process holds the state directory's lock (apply): any marker there is from an
    /// apply that is gone, not one at work.
    public var holdsStateLock = false
    /// Told what is being read next (for a progress line on a slow run).
    public var progress: @Sendable (String) -> Void = { _ in }
    /// How long each DNS answer may take (the zone's other authoritative servers too).
    public var dnsTimeout: Duration = .seconds(3)
    /// Paths in what the observer says (a pid file) are shown relative to this directory.
    public var displayBase = FileManager.default.currentDirectoryPath
    /// nginx's tree as read while the desired state loaded; used when its settings are the
    /// desired state's.
    public var treeAhead: TreeAhead?
    /// The zones as read while the desired state loaded, with ``dns`` their provider.
    public var zonesAhead: ZonesAhead?

    public init(desired: DesiredState, dns: any DNSProvider) {
        self.desired = desired
        self.dns = dns
    }

    public func observe() async throws(ReconcileError) -> Observation {
        progress("reading nginx's configuration from \(desired.nginx.config)")
        let zones = desired.dns.zones
        progress(
            "reading zone\(zones.count == 1 ? "" : "s") \(zones.map(\.description).joined(separator: ", ")) (\(dns.summary))"
        )
        // The tree is parsed on one core while the zones arrive on the other; its errors still
        // come first and at once, as when it was read before DNS was asked (the zones' read is
        // then cancelled, not waited for).
        let reading = Task { await observeZonesResult() }
        let loaded: LoadedTree
        switch await loadTree() {
        case .success(let read): loaded = read
        case .failure(let error):
            reading.cancel()
            throw error
        }
        let records = try await reading.value.get()
        // How each zone was read (AXFR or queries, signed or not) and how many servers agree.
        var source = dns.summary
        let reads = zones.compactMap { zone in records.zones[zone]?.read.map { "\(zone) \($0)" } }
        if !reads.isEmpty, records.zones.values.contains(where: { $0.source != .zoneFile }) {
            source += "; " + reads.joined(separator: "; ")
        }
        for zone in zones {
            guard let report = records.nameservers[zone] else { continue }
            let answered = report.servers.filter { $0.snapshot != nil }.count
            source +=
                "; \(zone) asked \(report.servers.count) authoritative server\(report.servers.count == 1 ? "" : "s") (\(answered) answered)"
        }
        let tree = loaded.tree
        var observation = Observation(
            nginx: tree, dns: records, interfaces: checkInterfaces ? HostInterfaces.current() : nil,
            dnsSource: source, nginxIndexes: loaded.indexes)
        if let stateDirectory {
            observation.withdrawals = stateDirectory.withdrawals()
            let inspection = NginxRuntime.inspect(tree, display: { Paths.display($0, from: displayBase) })
            observation.nginxRuntime = inspection.runtime
            observation.nginxMaster = inspection.master
            observation.checksNotRun = inspection.checksNotRun
            // apply's markers are root's (mode 0700): a user who cannot look cannot say none are there.
            if access(stateDirectory.path, F_OK) == 0, access(stateDirectory.path, R_OK | X_OK) != 0 {
                observation.checksNotRun.append(
                    CheckNotRun(
                        check: CheckNotRun.pendingReload,
                        reason:
                            "cannot read apply's state directory \(Paths.display(stateDirectory.path, from: displayBase)) as user \(NginxMaster.userName)"
                    ))
            }
            observation.pendingReloads = stateDirectory.pendingReloadDescriptions(
                applyRunning: !holdsStateLock && stateDirectory.isLockedByAnotherProcess())
        }
        return observation
    }

    /// nginx's tree as nginx loads it, within the desired state's limits; the one read ahead
    /// when it was read with the same settings.
    func loadTree() async -> Result<LoadedTree, ReconcileError> {
        let read =
            if let treeAhead, treeAhead.settings == desired.nginx { await treeAhead.reading.value } else {
                await Self.readTreeOffThePool(desired.nginx)
            }
        return read.mapError { error in
            // The main configuration itself is the YAML's doing: say where the YAML names it.
            if case .fileNotReadable(let path, let reason, nil) = error {
                return .other(
                    "\(desired.source(of: "nginx.config")): nginx.config names \(path), which cannot be read: \(reason); point it at nginx's main configuration (`nginx -V` shows the default, usually /etc/nginx/nginx.conf)"
                )
            }
            return .nginx(error)
        }
    }

    /// A tree as read, with the indexes the planner looks every vhost up in.
    struct LoadedTree: Sendable {
        let tree: NginxConfigTree
        let indexes: TreeIndexes
    }

    /// ``readTree(_:)`` and the tree's indexes, on a thread of its own: the tasks' pool has
    /// one thread per core, and parsing there would keep the zone transfer waiting for one.
    static func readTreeOffThePool(_ settings: NginxSettings) async -> Result<LoadedTree, NginxError> {
        await offThePool { readTree(settings).map { LoadedTree(tree: $0, indexes: TreeIndexes(tree: $0)) } }
    }

    /// `work`'s value, made on a thread of Dispatch's rather than one of the tasks' pool
    /// (which has one thread per core): for work that computes long or waits on a process.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }

    /// nginx's tree read with `settings`' main file and limits.
    static func readTree(_ settings: NginxSettings) -> Result<NginxConfigTree, NginxError> {
        let limits = NginxLimits(
            maxDepth: settings.limits.depth ?? NginxLimits.defaultMaxDepth,
            maxFileBytes: settings.limits.fileBytes ?? NginxLimits.defaultMaxFileBytes,
            maxTreeBytes: settings.limits.treeBytes ?? NginxLimits.defaultMaxTreeBytes)
        do throws(NginxError) {
            return .success(
                try NginxConfigTree.load(mainConfig: settings.config, reader: DiskNginxFileReader(), limits: limits))
        } catch {
            return .failure(error)
        }
    }

    /// The managed zones being read from settings known before the desired state was loaded:
    /// whole zones only (a transfer or the zone file), which do not depend on the vhosts.
    public struct ZonesAhead: Sendable {
        let settings: DNSSettings
        /// Made from `settings`; the run's provider when they are the desired state's.
        public let provider: any DNSProvider
        let reading: Task<Result<DNSObservation, ReconcileError>, Never>

        /// Starts reading `settings`' zones with `provider`; nil when the read would depend on
        /// the vhosts' names (dns.transfer: queries, the authoritative provider).
        public init?(_ settings: DNSSettings, provider: any DNSProvider) {
            guard settings.transfer == .axfr else { return nil }
            switch settings.provider {
            case .rfc2136, .zonefile: break
            case .authoritative: return nil
            }
            self.settings = settings
            self.provider = provider
            reading = Task { await Self.read(settings.zones, with: provider) }
        }

        static func read(_ zones: [DNSName], with provider: any DNSProvider) async -> Result<
            DNSObservation, ReconcileError
        > {
            do throws(ReconcileError) {
                return .success(try await provider.observe(zones: zones, names: []))
            } catch {
                return .failure(error)
            }
        }

        /// The zones as read (or why they could not be); nil when a refused transfer fell back
        /// to queries, which must be asked again with the vhosts' names.
        func complete() async -> Result<DNSObservation, ReconcileError>? {
            let read = await reading.value
            if case .success(let observation) = read,
                observation.zones.values.contains(where: { $0.source == .queries })
            {
                return nil
            }
            return read
        }
    }

    /// nginx's tree being read from settings known before the desired state was loaded.
    public struct TreeAhead: Sendable {
        let settings: NginxSettings
        let reading: Task<Result<LoadedTree, NginxError>, Never>

        /// Starts reading the tree `settings` names, on another thread.
        public init(_ settings: NginxSettings) {
            self.settings = settings
            reading = Task { await Observer.readTreeOffThePool(settings) }
        }
    }

    /// ``observeZones()`` as a value, for a task of its own.
    func observeZonesResult() async -> Result<DNSObservation, ReconcileError> {
        do throws(ReconcileError) {
            return .success(try await observeZones())
        } catch {
            return .failure(error)
        }
    }

    /// The managed zones as read, and every authoritative server's answers when asked for.
    func observeZones() async throws(ReconcileError) -> DNSObservation {
        let zones = desired.dns.zones
        let names = desired.vhosts.map(\.dnsName)
        var records: DNSObservation
        if let zonesAhead, zonesAhead.settings == desired.dns, let read = await zonesAhead.complete() {
            records = try read.get()
        } else {
            records = try await dns.observe(zones: zones, names: names)
        }
        for zone in zones where records.zones[zone] == nil {
            throw .other("zone \(zone) was not read; refusing to plan on records that were not seen")
        }
        if desired.dns.nameservers != .listed([]) {
            let surveyor = NameserverSurveyor(settings: desired.dns, timeout: dnsTimeout)
            for zone in zones where records.nameservers[zone] == nil {
                progress("asking the authoritative servers of \(zone)")
                records.nameservers[zone] = await surveyor.survey(
                    zone, primary: records.zones[zone], names: names.filter { $0.isSubdomain(of: zone) })
            }
        }
        return records
    }
}

/// Identifies the desired state: a digest of its files, and its git commit when it is a checkout.
public enum Fingerprints {
    /// The fingerprint of `desired`, with `git` as ``gitCommit(directory:)`` gave it.
    static func desiredState(_ desired: DesiredState, git: (commit: String?, dirty: Bool?)) -> DesiredFingerprint {
        DesiredFingerprint(digest: desired.digest, gitCommit: git.commit, gitDirty: git.dirty)
    }

    /// ``gitCommit(directory:)`` asked on a thread of its own, while the run loads and reads:
    /// the two git processes are waited for, not computed, and need no core of the tasks' pool.
    static func gitCommitAhead(directory: String) -> Task<(commit: String?, dirty: Bool?), Never> {
        Task { await Observer.offThePool { gitCommit(directory: directory) } }
    }

    /// `git rev-parse HEAD` of the checkout at `directory` and whether it has uncommitted
    /// changes there; nils when it is not a checkout.
    public static func gitCommit(directory: String) -> (commit: String?, dirty: Bool?) {
        guard let head = git(["-C", directory, "rev-parse", "HEAD"]) else { return (nil, nil) }
        let dirty = git(["-C", directory, "status", "--porcelain", "--", "."]).map { !$0.isEmpty }
        return (head.trimmingCharacters(in: .whitespacesAndNewlines), dirty)
    }

    /// Runs git with bounded output; nil when git is missing or fails (not a checkout).
    static func git(_ arguments: [String]) -> String? {
        guard let result = try? CommandRunner.run(["git"] + arguments, timeout: 10), result.status == 0 else {
            return nil
        }
        return result.output
    }
}
