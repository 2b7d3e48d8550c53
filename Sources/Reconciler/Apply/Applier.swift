import ContainedFiles
import DNS
import DesiredState
import Digests
import Foundation
import Nginx

/// Executes a plan in DESIGN §7's order: nginx additions (write, test, reload, verify), DNS
/// additions and replacements, DNS removals, nginx removals. Any nginx failure restores
/// every file byte for byte (and reloads) before stopping, so DNS is never changed to
/// advertise what nginx does not serve.
public struct Applier: Sendable {
    public let desired: DesiredState
    public let dns: any DNSProvider
    public let state: StateDirectory
    /// Seconds to wait for new sockets to answer after a reload.
    public var verifyTimeout: Double = 10
    /// Called with a line for each step done.
    public var progress: @Sendable (String) -> Void = { _ in }
    /// Write through symlinks whose target lies outside the directory of nginx's main
    /// config; by default apply refuses before writing anything.
    public var allowSymlinksOutside = false
    /// Backups of this many applies are kept (this one included); older ones are removed.
    public var keepBackups = 20
    /// Seconds to wait after a DNS write until every authoritative server that answered
    /// during the plan serves it.
    public var propagationTimeout: Double = 60
    /// Every file write, command, worker and socket check, pause and fault point goes through it.
    public var effects: any HostEffects = SystemEffects()

    /// The rule every nginx file is written under: inside the directory of nginx's main
    /// config, symlinks followed only while they stay there (or anywhere, when allowed).
    var nginxRule: WriteRule {
        .tree(roots: [(desired.nginx.config as NSString).deletingLastPathComponent], allowOutside: allowSymlinksOutside)
    }

    public init(desired: DesiredState, dns: any DNSProvider, state: StateDirectory) {
        self.desired = desired
        self.dns = dns
        self.state = state
    }

    /// Why an apply stopped, and how many of its steps (actions done or deferred) it had
    /// journaled by then: a failed nginx phase is restored, so only whole phases count.
    public struct Failure: Error, Sendable {
        public let error: ReconcileError
        public let stepsDone: Int
    }

    /// Runs the plan; returns the nginx removals it left for a later run, because resolvers
    /// may still hold the records withdrawn for them (their TTL has not passed).
    @discardableResult
    public func apply(_ plan: Plan, observation: Observation) async throws(Failure) -> [Action] {
        let started = effects.now()
        var deferred: [Action] = []
        var steps: [JournalEntry.Step] = []
        var durations: [String: Int] = [:]
        func finish(_ error: ReconcileError?) {
            defer { state.clearApplyInProgress() }
            let pruned = state.pruneBackups(keep: keepBackups)
            for folder in pruned { progress("nginx: removed the old backup \(folder) (--keep-backups \(keepBackups))") }
            state.journal(
                JournalEntry(
                    time: ISO8601DateFormatter().string(from: started), desired: plan.desired, steps: steps,
                    result: error == nil ? "applied" : "failed", error: error?.description,
                    durationsMs: durations.merging(["total": Int(effects.now().timeIntervalSince(started) * 1000)]) {
                        a, _ in a
                    },
                    prunedBackups: pruned.isEmpty ? nil : pruned))
        }
        do {
            try state.markApplyInProgress(plan, started: started)
            try checkSymlinks(plan)
            try finishInterruptedReload(master: NginxMaster(tree: observation.nginx))
            try finishInterruptedZoneReload()
            for phase in Action.Phase.allCases {
                let actions = plan.actions.filter { $0.phase == phase }
                guard !actions.isEmpty else { continue }
                let phaseStart = effects.now()
                if phase == .unserve, let until = unserveWaits(actions, now: effects.now()) {
                    // Withdraw before unserve, with caches: the listen stays until no resolver
                    // can hold the withdrawn record. The whole phase waits (its files are edited
                    // together).
                    deferred = actions
                    progress(
                        "nginx: \(actions.count) listen removal\(actions.count == 1 ? "" : "s") \(actions.count == 1 ? "waits" : "wait") until \(ISO8601DateFormatter().string(from: until)), when resolvers can no longer hold the withdrawn records (their TTL); the next apply makes \(actions.count == 1 ? "it" : "them")"
                    )
                    steps += actions.map { JournalEntry.Step(action: $0, result: "deferred") }
                    continue
                }
                switch phase {
                case .serve, .unserve:
                    try nginxPhase(phase, plan: plan, actions: actions, tree: observation.nginx, started: started)
                case .advertise, .withdraw:
                    try await dnsPhase(phase, plan: plan, actions: actions, observation: observation)
                }
                durations[String(describing: phase)] = Int(effects.now().timeIntervalSince(phaseStart) * 1000)
                steps += actions.map { JournalEntry.Step(action: $0, result: "done") }
                if phase == .withdraw { try state.recordWithdrawals(Self.withdrawals(actions, at: effects.now())) }
                if phase == .unserve { state.clearWithdrawals(of: actions) }
            }
        } catch {
            finish(error)
            throw Failure(error: error, stepsDone: steps.count)
        }
        finish(nil)
        return deferred
    }

    /// Sends one DNS phase's changes, zone by zone, each waited on until every authoritative
    /// server serves it. A failure leaves the nginx changes made (serving more than is
    /// advertised is harmless) and says so.
    func dnsPhase(_ phase: Action.Phase, plan: Plan, actions: [Action], observation: Observation)
        async
        throws(ReconcileError)
    {
        for change in plan.dnsChanges where change.phase == phase {
            guard let zone = try? DNSName(change.zone) else { throw .other("the plan names no zone: \(change.zone)") }
            // Between the zone file's write and its reload, the file says more than
            // the server publishes: the marker makes the next apply reload first.
            if dns.reloadsAfterWriting { try state.markPendingZoneReload(change.zone) }
            do {
                try await dns.apply(zone: zone, changes: change.changes, observed: observation.dns.zones[zone])
                state.clearPendingZoneReload()
            } catch {
                if !Self.leavesZoneFileAhead(error) { state.clearPendingZoneReload() }
                throw ReconcileError.applyFailed(
                    step: "DNS \(phase == .advertise ? "update" : "removal") in zone \(change.zone)",
                    reason: error.description
                        + (phase == .advertise && plan.actions.contains { $0.phase == .serve }
                            ? "\nthe nginx changes stay in place (serving more than is advertised is harmless); run `reconcile plan` to see what is left"
                            : ""),
                    restored: false)
            }
            for action in actions where action.zone == change.zone {
                progress("DNS: \(action.kind == .dnsAdd ? "added" : "deleted") \(action.recordLine)")
            }
            effects.reach(.betweenDNSMessages)
            try await waitForPropagation(zone: zone, changes: change.changes, observation: observation)
        }
    }

    /// Waits until the zone's other authoritative servers serve what was just written; says
    /// which are still behind (a warning: the next plan shows them as nameservers-disagree).
    func waitForPropagation(zone: DNSName, changes: [RecordSetChange], observation: Observation)
        async
        throws(ReconcileError)
    {
        guard let report = observation.dns.nameservers[zone] else { return }
        let answering = report.servers.filter { $0.snapshot != nil }
        guard !answering.isEmpty else { return }
        let started = effects.now()
        var propagation = Propagation(servers: [zone: answering], timeout: propagationTimeout)
        let fleet = dns as? FleetDNSProvider
        propagation.containment = fleet != nil
        let behind = await propagation.wait(zone: zone, changes: fleet?.log.written(changes) ?? changes)
        if behind.isEmpty {
            progress(
                "DNS: every authoritative server of \(zone) serves it (\(answering.count) asked, \(String(format: "%.1f", effects.now().timeIntervalSince(started)))s)"
            )
            return
        }
        for lag in behind {
            let line =
                "warning: \(lag.server) still serves \(lag.name) \(lag.type) \(lag.serves.isEmpty ? "(none)" : lag.serves.joined(separator: ", ")) after \(Int(propagationTimeout))s, not \(lag.expected.isEmpty ? "(none)" : lag.expected.joined(separator: ", ")); resolvers asking it get the old answer until it catches up (see --propagation-timeout)"
            progress(line)
        }
    }

    /// When the removals may run, if not now: after the TTL of a record withdrawn for the same
    /// vhost and family, in this run or an earlier one.
    func unserveWaits(_ actions: [Action], now: Date) -> Date? {
        let recorded = state.withdrawals()
        let times = actions.compactMap { action -> Date? in
            recorded.filter { $0.vhost == action.vhost && $0.family == action.family }.map(\.safeAfter).max()
        }
        guard let latest = times.max(), latest > now else { return nil }
        return latest
    }

    /// The withdrawals a finished withdraw phase made, one per vhost and family.
    static func withdrawals(_ actions: [Action], at time: Date) -> [Withdrawal] {
        var byKey: [String: Withdrawal] = [:]
        let at = ISO8601DateFormatter().string(from: time)
        for action in actions where action.kind == .dnsDelete {
            let key = "\(action.vhost) \(action.family)"
            let ttl = max(byKey[key]?.ttl ?? 0, action.ttl ?? 0)
            byKey[key] = Withdrawal(
                vhost: action.vhost, family: action.family, name: action.name ?? "", ttl: ttl, at: at)
        }
        return byKey.keys.sorted().compactMap { byKey[$0] }
    }

    /// Writes one nginx phase's files, tests, reloads and (for additions) checks the new
    /// sockets answer; restores every file and reloads again on any failure.
    func nginxPhase(_ phase: Action.Phase, plan: Plan, actions: [Action], tree: NginxConfigTree, started: Date)
        throws(ReconcileError)
    {
        let master = NginxMaster(tree: tree)
        let writes = try phaseWrites(phase, plan: plan, tree: tree)
        // Named by the apply's start, so the folders of one apply prune together.
        let label = "\(ISO8601DateFormatter().string(from: started))-\(phase)-\(getpid())"
        let backup = try state.backup(writes.map { .init(path: $0.path, bytes: $0.before) }, label: label)
        progress("nginx: backed up \(writes.count) file\(writes.count == 1 ? "" : "s") to \(backup)")
        effects.reach(.afterBackup)
        // Until the reload is confirmed, a crash leaves files nginx may not have loaded; the
        // next apply reloads first (see finishInterruptedReload).
        try state.markPendingReload(actions, backup: backup)
        var written: [(path: String, file: WrittenFile, before: [UInt8], after: [UInt8])] = []
        func restore(reload: Bool) -> Bool {
            var ok = true
            for file in written.reversed() {
                do {
                    // Where the write landed (not the path resolved again: a link swapped
                    // since cannot redirect it), and only over the bytes apply wrote: an edit
                    // made since is not overwritten.
                    try effects.restore(file.before, over: file.file, expected: file.after)
                } catch {
                    ok = false
                    progress("nginx: could not restore \(file.path) (its backup is in \(backup)): \(error)")
                }
            }
            if reload { _ = try? effects.run(desired.nginx.reload, timeout: 60) }
            if ok { state.clearPendingReload() }
            return ok
        }
        for file in writes {
            do {
                // Checked again right before the rename: the same file, still holding what
                // the plan read (an editor's late append aborts this file, not lost).
                let target = try effects.write(
                    file.after, to: file.path, rule: nginxRule, expected: file.before,
                    beforeRename: { [effects] in effects.reach(.midWrite) })
                written.append((file.path, target, file.before, file.after))
                progress(
                    "nginx: wrote \(file.path)\(target.path == file.path ? "" : " (through its symlink to \(target.path))")"
                )
            } catch {
                let restored = restore(reload: false)
                throw .applyFailed(step: "writing \(file.path)", reason: error.description, restored: restored)
            }
        }
        let test = runChecked(desired.nginx.test, what: "nginx configuration test")
        if let failure = test {
            let restored = restore(reload: false)
            throw .applyFailed(
                step: "nginx configuration test (\(desired.nginx.test.joined(separator: " ")))", reason: failure,
                restored: restored)
        }
        progress("nginx: configuration test passed")
        effects.reach(.afterTest)
        try reloadAndVerify(phase, actions: actions, master: master, restore: restore)
        state.clearPendingReload()
    }

    /// What one nginx phase writes: each file its actions edit, in path order, with the bytes
    /// it must hold now (the file as the plan read it, plus the serve phase's edits when this is
    /// the unserve phase) and after. The edits are ranges of the file as read, checked to be
    /// that file by its digest in the plan's preconditions.
    func phaseWrites(_ phase: Action.Phase, plan: Plan, tree: NginxConfigTree) throws(ReconcileError)
        -> [(path: String, before: [UInt8], after: [UInt8])]
    {
        let made = phase == .serve ? [:] : plan.nginxEdits(through: .withdraw)
        let target = plan.nginxEdits(through: phase)
        let paths = Set(plan.actions.filter { $0.phase == phase }.compactMap(\.file)).sorted()
        let digests = Dictionary(
            plan.preconditions.nginxFiles.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        let files = Dictionary(tree.files.map { ($0.path, $0.bytes) }, uniquingKeysWith: { a, _ in a })
        var writes: [(path: String, before: [UInt8], after: [UInt8])] = []
        for path in paths {
            guard let original = files[path],
                let digest = digests[path], HexDigest.sha256(original) == digest
            else { throw .stalePlan(["nginx file \(path) is not the file the plan read"]) }
            guard let before = NginxListenEdit.applied(made[path] ?? [], to: original),
                let after = NginxListenEdit.applied(target[path] ?? [], to: original)
            else {
                throw .other(
                    "the plan's edits of \(path) do not fit the file it read (overlapping or out of range); nothing was written in this phase"
                )
            }
            let current: [UInt8]?
            do {
                current = try effects.read(path, rule: nginxRule)
            } catch {
                throw .other("\(error.description); nothing was written in this phase")
            }
            guard current == before else { throw .stalePlan(["nginx file \(path) changed while applying"]) }
            writes.append((path, before, after))
        }
        return writes
    }

    /// Reloads nginx, waits for its new workers and (for additions) checks the new sockets
    /// answer; on failure calls `restore(true)` and throws.
    func reloadAndVerify(
        _ phase: Action.Phase, actions: [Action], master: NginxMaster, restore: (Bool) -> Bool
    ) throws(ReconcileError) {
        let oldWorkers = effects.workers(of: master)
        if let failure = runChecked(desired.nginx.reload, what: "nginx reload") {
            let restored = restore(true)
            throw .applyFailed(
                step: "nginx reload (\(desired.nginx.reload.joined(separator: " ")))", reason: failure,
                restored: restored)
        }
        effects.reach(.afterReload)
        if oldWorkers.isEmpty {
            // No master found through the pid file: give the signal a moment.
            progress("nginx: no running master found via \(master.pidFile); waiting a second for the reload")
            effects.pause(1)
        } else if !effects.waitForNewWorkers(of: master, replacing: oldWorkers, timeout: verifyTimeout) {
            let restored = restore(true)
            throw .applyFailed(
                step: "nginx reload",
                reason:
                    "nginx kept its old workers \(Int(verifyTimeout))s after the reload: it could not apply the new configuration (a listen that fails to bind? see nginx's error log)",
                restored: restored)
        }
        progress("nginx: reloaded")
        guard phase == .serve else { return }
        // Each socket once, however many vhosts' listens it serves.
        var checked: Set<String> = []
        for action in actions {
            guard let port = action.port else { continue }
            for address in desired.host.addresses(action.family) {
                let shown = action.family == .ipv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
                guard checked.insert(shown).inserted else { continue }
                if effects.connects(address: address, port: port, within: verifyTimeout) {
                    progress("nginx: \(shown) answers")
                } else {
                    let restored = restore(true)
                    throw .applyFailed(
                        step: "checking the new listen for \(action.vhost)",
                        reason:
                            "nothing answers on \(shown) \(Int(verifyTimeout))s after the reload (did the bind fail? see nginx's error log)",
                        restored: restored)
                }
            }
        }
    }

    /// Refuses (before anything is written) to write an nginx file through a symlink that
    /// leads outside the directory of nginx's main config, unless allowed. The write itself
    /// checks again on what it opens; this makes the refusal come before any file changed.
    func checkSymlinks(_ plan: Plan) throws(ReconcileError) {
        let directory = (desired.nginx.config as NSString).deletingLastPathComponent
        for path in Set(plan.actions.compactMap(\.file)).sorted() {
            let destination: ContainedFile.Destination
            do {
                destination = try effects.destination(
                    of: path, rule: .tree(roots: [directory], allowOutside: false))
            } catch {
                throw .other("\(error.description) (the directory of nginx.config is \(directory))")
            }
            guard !destination.allowed else { continue }
            if allowSymlinksOutside {
                progress(
                    "nginx: \(path) is a symlink to \(destination.path), outside \(directory); writing through it (--allow-symlinks-outside)"
                )
                continue
            }
            throw .other(
                "refusing to write \(path): it is a symlink to \(destination.path), outside \(directory) (the directory of nginx.config); nothing was written. Pass --allow-symlinks-outside if writing there is intended"
            )
        }
    }

    /// An earlier apply that died after writing nginx files and before confirming the reload
    /// (a crash, `kill -9`) left files nginx may not have loaded, which a fresh plan cannot
    /// see: test, reload and verify them before anything is advertised.
    func finishInterruptedReload(master: NginxMaster) throws(ReconcileError) {
        guard let pending = state.pendingReload() else { return }
        progress(
            "nginx: an earlier apply stopped before confirming its reload (its backup: \(pending.backup)); testing and reloading now"
        )
        if let failure = runChecked(desired.nginx.test, what: "nginx configuration test") {
            throw .applyFailed(
                step: "finishing the interrupted apply: nginx configuration test",
                reason: failure + "\nthe files the interrupted apply replaced are in \(pending.backup)", restored: false
            )
        }
        try reloadAndVerify(.serve, actions: pending.actions.filter { $0.phase == .serve }, master: master) { _ in false
        }
        state.clearPendingReload()
    }

    /// Whether a failed zone change left the zone file holding records the server was never
    /// told to load: a failed reload puts the old file back, so only when that failed too.
    static func leavesZoneFileAhead(_ error: ReconcileError) -> Bool {
        guard case .zoneFile(let failure) = error, case .reloadFailedNotRestored = failure.reason else { return false }
        return true
    }

    /// Runs the zone reload an interrupted apply left owing (see ``PendingZoneReload``).
    func finishInterruptedZoneReload() throws(ReconcileError) {
        guard let pending = state.pendingZoneReload() else { return }
        guard let zone = try? DNSName(pending.zone) else {
            throw .other(
                "\(state.pendingZoneReloadPath) names no zone (\(pending.zone)); remove it once the zone is reloaded")
        }
        progress("DNS: an earlier apply wrote zone \(pending.zone) and stopped before reloading it; reloading now")
        do {
            try dns.reload(zone: zone)
        } catch {
            throw .applyFailed(
                step: "finishing the interrupted apply: reload of zone \(pending.zone)", reason: error.description,
                restored: false)
        }
        state.clearPendingZoneReload()
    }

    /// Runs a command; nil on success, else its output (or why it could not run, or that it
    /// timed out) as the reason, so the caller restores the files either way.
    func runChecked(_ argv: [String], what: String) -> String? {
        let result: CommandRunner.Result
        do {
            result = try effects.run(argv, timeout: 120)
        } catch {
            return "\(what): \(error.description)"
        }
        if result.status == 0 { return nil }
        let output = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        return "\(what) exited with status \(result.status)" + (output.isEmpty ? "" : ":\n" + output)
    }
}
