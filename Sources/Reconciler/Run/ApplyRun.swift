import DesiredState
import Foundation

/// One `reconcile apply`, as a value: take the state directory's lock, plan afresh (or check a
/// saved plan still holds), refuse what must not run, ask, execute (``Applier``), and report
/// what was done and what is left. The command line prints the report; a test can run it
/// in-process.
public struct ApplyRun: Sendable {
    /// apply's own flags.
    public struct Settings: Sendable {
        /// A plan saved by `plan --out`: refused if the world changed since.
        public var savedPlan: Plan?
        /// Apply even when the plan exceeds a safety limit.
        public var force = false
        /// Most DNS changes to one zone without `force`.
        public var maxZoneChanges = 1000
        /// Seconds to wait for another apply's lock.
        public var lockTimeout: Double = 60
        /// Seconds to wait for new nginx sockets to answer after a reload.
        public var verifyTimeout: Double = 10
        /// Backups of this many applies are kept.
        public var keepBackups = 20
        /// Seconds to wait after each DNS write until every authoritative server serves it.
        public var propagationTimeout: Double = 60

        public init() {}
    }

    /// What apply asks before it changes anything.
    public enum Question: Sendable, Equatable {
        /// Run this many changes.
        case changes(Int)
        /// Only finish an interrupted apply's reload.
        case finishInterruptedApply

        /// The question as the terminal shows it.
        public var text: String {
            switch self {
            case .finishInterruptedApply: "Finish the interrupted apply (reload)?"
            case .changes(1): "Apply this change?"
            case .changes(let count): "Apply these \(count) changes?"
            }
        }
    }

    /// What an apply did and left.
    public struct Report: Sendable {
        /// The fresh plan and what it was made from.
        public let result: Reconciliation.Result
        /// Actions carried out.
        public let applied: Int
        /// nginx removals left for a later apply (resolvers may still hold the withdrawn records).
        public let deferred: [Action]
        /// DNS changes left to the operator because DNS is read-only, with the reason.
        public let manualDNS: [Action]
        public let readOnlyReason: String?
        /// nginx removals not run because the withdrawals they follow are the operator's.
        public let skippedNginxRemovals: Int
        /// Nothing to run: the plan had no actions and no reload was owed.
        public let nothingToDo: Bool
        /// Whether the plan owed an interrupted apply's reload.
        public var finishedInterruptedApply: Bool { result.plan.pendingReloads != nil }
        /// Drift is left that this apply did not fix: DNS changes left to the operator, or
        /// findings that need a manual fix. apply exits 2 then, as the next plan would.
        public var driftRemains: Bool { readOnlyReason != nil || !result.plan.manualFixes.isEmpty }
    }

    /// Why an apply stopped: the error, the plan when it got that far, and the actions it had
    /// carried out (restored nginx phases do not count).
    public struct Failure: Error, Sendable {
        public let error: ReconcileError
        public let result: Reconciliation.Result?
        public let applied: Int
    }

    public var reconciliation: Reconciliation
    public var settings: Settings
    /// A sentence for the operator that is not part of the plan (an interrupted apply found).
    public var notice: @Sendable (String) -> Void = { _ in }
    /// Called with the fresh plan, once it is known to be the one that will run (to show it).
    public var planned: @Sendable (Reconciliation.Result) -> Void = { _ in }
    /// Asked before anything changes; throws (``ReconcileError/notConfirmed(_:)``) to stop.
    public var confirm: @Sendable (Question) throws(ReconcileError) -> Void
    /// Called with a line for each step done.
    public var progress: @Sendable (String) -> Void = { _ in }

    public init(
        reconciliation: Reconciliation, settings: Settings,
        confirm: @escaping @Sendable (Question) throws(ReconcileError) -> Void
    ) {
        self.reconciliation = reconciliation
        self.reconciliation.settings.holdsStateLock = true
        self.settings = settings
        self.confirm = confirm
    }

    public func run() async throws(Failure) -> Report {
        var made: Reconciliation.Result?
        var applied = 0
        do {
            let report = try await execute(made: &made, applied: &applied)
            // A fleet host records the commit it applied (DESIGN §15); nothing without hosts:.
            try await FleetRun.heartbeat(report.result.provider)
            return report
        } catch {
            throw Failure(error: error, result: made, applied: applied)
        }
    }

    /// The apply; `made` and `applied` are set as it goes, so a failure still reports what it
    /// saw and did.
    func execute(made: inout Reconciliation.Result?, applied: inout Int) async throws(ReconcileError) -> Report {
        let state = StateDirectory(path: reconciliation.settings.stateDirectory)
        let lock = try state.lock(timeout: settings.lockTimeout)
        defer { withExtendedLifetime(lock) {} }
        if let note = state.journalInterruptedApply() { notice(note) }
        let result = try await reconciliation.run()
        made = result
        let plan = result.plan
        if let saved = settings.savedPlan {
            let reasons = ApplyChecks.staleness(saved: saved, fresh: plan)
            if !reasons.isEmpty { throw .stalePlan(reasons) }
        }
        planned(result)
        // A stopped nginx can be neither reloaded nor checked: writing its files would only
        // leave them ahead of what runs, and advertising would publish what nobody serves.
        if case .notRunning(let reason) = result.observation.nginxMaster {
            throw .refused(
                "apply refused: nginx is not running \(Paths.display(plan.nginxConfig, from: reconciliation.settings.displayBase)) (\(reason)); nothing was changed. Start nginx, then run `reconcile apply` again"
            )
        }
        // Reloads an interrupted apply owes are work too: the files already say what is
        // desired, nginx or the DNS server does not run them yet.
        guard !plan.actions.isEmpty || plan.pendingReloads != nil else {
            return Report(
                result: result, applied: 0, deferred: [], manualDNS: [], readOnlyReason: nil, skippedNginxRemovals: 0,
                nothingToDo: true)
        }
        let (runnable, manual, readOnly) = Self.runnable(plan, provider: result.provider)
        try checkLimits(runnable, result)
        // Nothing to confirm when everything is left to the operator.
        let nothingToRun = runnable.actions.isEmpty && runnable.pendingReloads == nil
        if !nothingToRun {
            try confirm(runnable.actions.isEmpty ? .finishInterruptedApply : .changes(runnable.actions.count))
        }
        var deferred: [Action] = []
        if !nothingToRun {
            do {
                deferred = try await applier(for: result, state: state).apply(runnable, observation: result.observation)
            } catch {
                applied = error.stepsDone
                throw error.error
            }
        }
        applied = runnable.actions.count - deferred.count
        return Report(
            result: result, applied: applied, deferred: deferred, manualDNS: readOnly == nil ? [] : manual,
            readOnlyReason: readOnly,
            skippedNginxRemovals: readOnly == nil ? 0 : plan.actions.count - applied - manual.count,
            nothingToDo: false)
    }

    /// What this apply may run. Without write access to DNS, apply still serves (phase 1):
    /// serving more than is advertised is harmless. The DNS changes are the operator's; the
    /// nginx removals wait until the withdrawals they follow are published.
    static func runnable(_ plan: Plan, provider: any DNSProvider) -> (Plan, manual: [Action], readOnly: String?) {
        let manual = plan.actions.filter { $0.kind == .dnsAdd || $0.kind == .dnsDelete }
        guard !manual.isEmpty, let reason = provider.readOnlyReason else { return (plan, manual, nil) }
        var runnable = plan
        let withdrawalsPending = manual.contains { $0.phase == .withdraw }
        runnable.actions = plan.actions.filter { $0.phase == .serve || ($0.phase == .unserve && !withdrawalsPending) }
        return (runnable, manual, reason)
    }

    /// The safety limits judge what this apply does: DNS changes left to the operator are not its.
    func checkLimits(_ runnable: Plan, _ result: Reconciliation.Result) throws(ReconcileError) {
        guard !settings.force else { return }
        let managed = ApplyChecks.managedRecordCount(result.desired, result.observation)
        if let reason = ApplyChecks.safetyLimit(runnable, managedRecords: managed) { throw .safetyLimit(reason) }
        if let reason = ApplyChecks.zoneChangeLimit(runnable, maxChangesPerZone: settings.maxZoneChanges) {
            throw .safetyLimit(reason)
        }
    }

    func applier(for result: Reconciliation.Result, state: StateDirectory) -> Applier {
        var applier = Applier(desired: result.desired, dns: result.provider, state: state)
        applier.verifyTimeout = settings.verifyTimeout
        applier.allowSymlinksOutside = reconciliation.settings.allowSymlinksOutside
        applier.keepBackups = settings.keepBackups
        applier.propagationTimeout = settings.propagationTimeout
        applier.progress = progress
        applier.effects = reconciliation.effects
        return applier
    }
}
