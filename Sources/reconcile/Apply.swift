import ArgumentParser
import DesiredState
import Foundation
import Reconciler

extension Reconcile {
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fix the gaps safely: serve before advertise, test before reload, roll back on failure.",
            discussion: """
                Takes the lock in --state-dir, makes a fresh plan (or checks that the saved \
                PLANFILE still holds), shows it, asks for confirmation on a terminal, then runs it \
                in order: nginx additions (write atomically, nginx -t, reload, check the new \
                sockets answer), DNS additions and replacements, DNS removals, nginx removals. If \
                an nginx step fails, every file is restored byte for byte and DNS is not touched. \
                Each run appends a line to <state-dir>/journal.jsonl; backups go to \
                <state-dir>/backups/.

                nginx must be running this configuration: when it is not, apply refuses before \
                touching anything. Without write access to DNS (no dns.tsig), apply makes the \
                nginx additions, prints the DNS changes to make by hand and exits 2.

                Exit codes: 0 applied or nothing to do, 2 drift remains (DNS changes left to you, \
                or findings that need a manual fix, listed), 1 error, 3 refused (nginx not running, \
                stale saved plan, safety limit, lock held, not confirmed), 64 usage error.
                """
        )

        @OptionGroup var options: GlobalOptions
        @OptionGroup var observation: ObservationOptions

        @Argument(
            help: ArgumentHelp(
                "A plan saved by `reconcile plan --out FILE`; refused if the world changed since.",
                valueName: "planfile"))
        var planFile: String?

        @Flag(help: "Apply without asking (required when standard input is not a terminal).")
        var yes = false

        @Flag(
            help:
                "Apply even when the plan exceeds a safety limit (deleting over 30% of the managed records, or over --max-zone-changes in one zone)."
        )
        var force = false

        @Option(help: ArgumentHelp("Most DNS changes to one zone without --force.", valueName: "count"))
        var maxZoneChanges = 1000

        @Option(
            help: ArgumentHelp(
                "Seconds to wait for another apply's lock before giving up (exit 3).", valueName: "seconds"))
        var lockTimeout: Double = 60

        @Option(
            help: ArgumentHelp("Seconds to wait for new nginx sockets to answer after a reload.", valueName: "seconds"))
        var verifyTimeout: Double = 10

        @Flag(
            help:
                "Write nginx files (and the zone file) through symlinks whose target lies outside the directory of nginx's main config (of the zone file) (refused by default, before anything is written)."
        )
        var allowSymlinksOutside = false

        @Option(
            help: ArgumentHelp(
                "Keep the backups of this many applies in <state-dir>/backups (this one included); older ones are removed and the journal says which.",
                valueName: "count"))
        var keepBackups = 20

        @Option(
            help: ArgumentHelp(
                "Seconds to wait after each DNS write until every authoritative server of the zone serves it (servers still behind are reported, and the next plan shows them).",
                valueName: "seconds"))
        var propagationTimeout: Double = 60

        @OptionGroup var metrics: MetricsOptions
        @OptionGroup var fleet: FleetOptions

        @Flag(
            help:
                "Probe the vhosts before planning, as `plan --probe` does; with hosts: and --withdraw-unhealthy, a failed probe of this host's own address withdraws it. --timeout, --concurrency and --ca-file need --probe."
        )
        var probe = false

        @OptionGroup var probeOptions: ProbeOptions

        func validate() throws {
            if !probe && probeOptions.isGiven {
                throw ValidationError("--timeout, --concurrency and --ca-file only apply with --probe")
            }
            guard propagationTimeout >= 0 && propagationTimeout <= 3600 else {
                throw ValidationError("--propagation-timeout \(propagationTimeout): give 0 to 3600 seconds")
            }
            guard keepBackups >= 1 else {
                throw ValidationError("--keep-backups \(keepBackups): keep at least 1 (this apply's own backup)")
            }
        }

        func run() async throws {
            var session = Session(options: options, observation: observation, probe: probe ? probeOptions : nil)
            session.holdsStateLock = true
            session.allowSymlinksOutside = allowSymlinksOutside
            session.withdrawUnhealthy = fleet.withdrawUnhealthy
            var run: Session.Run?
            var applied = 0
            let driftRemains: Bool
            do {
                driftRemains = try await apply(session, run: &run, applied: &applied)
                try await FleetRun.heartbeat(run?.provider)
            } catch {
                session.fail(error, mode: "apply", metrics: metrics, run: run, changesApplied: applied)
                throw ExitCode(error.exitCode)
            }
            try session.recordSuccess(metrics, mode: "apply", run: run, changesApplied: applied)
            // Drift no action fixes is still there: exit as the next plan would.
            if driftRemains || run?.plan.manualFixes.isEmpty == false { throw ExitCode(2) }
        }

        /// Runs the apply; `run` and `applied` (actions carried out) are set as it goes, so a
        /// failed apply still reports what it saw and did.
        /// True when drift remains that apply may not fix (DNS is read-only).
        func apply(_ session: Session, run made: inout Session.Run?, applied: inout Int) async throws(ReconcileError)
            -> Bool
        {
            let saved: Reconciler.Plan?
            if let planFile {
                guard let data = FileManager.default.contents(atPath: planFile) else {
                    throw .other("cannot read the plan file \(planFile)")
                }
                saved = try Reconciler.Plan.decode(data)
            } else {
                saved = nil
            }
            let state = StateDirectory(path: options.stateDir)
            let lock = try state.lock(timeout: lockTimeout)
            defer { withExtendedLifetime(lock) {} }
            if let note = state.journalInterruptedApply() {
                FileHandle.standardError.write(Data((note + "\n").utf8))
            }
            let run = try await session.run()
            made = run
            let plan = run.plan
            if let saved {
                let reasons = ApplyChecks.staleness(saved: saved, fresh: plan)
                if !reasons.isEmpty { throw .stalePlan(reasons) }
            }
            if options.format == .text {
                print(session.renderer.render(plan, header: session.header(plan, run.desired), suggestApply: false))
            }
            // A stopped nginx can be neither reloaded nor checked: writing its files would
            // only leave them ahead of what runs, and advertising would publish what nobody serves.
            if case .notRunning(let reason) = run.observation.nginxMaster {
                throw .refused(
                    "apply refused: nginx is not running \(Paths.display(plan.nginxConfig, from: session.cwd)) (\(reason)); nothing was changed. Start nginx, then run `reconcile apply` again"
                )
            }
            // Reloads an interrupted apply owes are work too: the files already say what is
            // desired, nginx or the DNS server does not run them yet.
            guard !plan.actions.isEmpty || plan.pendingReloads != nil else {
                switch options.format {
                case .text: print(plan.manualFixes.isEmpty ? "Nothing to do." : "Nothing reconcile can change.")
                case .json:
                    // What is left is the answer: the plan's findings say what needs a hand.
                    if !plan.manualFixes.isEmpty {
                        print(String(decoding: (try? plan.jsonData()) ?? Data(), as: UTF8.self))
                    }
                }
                reportManualFixes(plan, session)
                return false
            }
            // Without write access to DNS, apply still serves (phase 1): serving more than is
            // advertised is harmless. The DNS changes are the operator's; the nginx removals
            // wait until the withdrawals they follow are published.
            let manual = plan.actions.filter { $0.kind == .dnsAdd || $0.kind == .dnsDelete }
            var runnable = plan
            var readOnly: String?
            if !manual.isEmpty, let reason = run.provider.readOnlyReason {
                readOnly = reason
                let withdrawalsPending = manual.contains { $0.phase == .withdraw }
                runnable.actions = plan.actions.filter {
                    $0.phase == .serve || ($0.phase == .unserve && !withdrawalsPending)
                }
                runnable.dnsChanges = []
            }
            // The limits judge what this apply does: DNS changes left to the operator are not its.
            if !force,
                let reason = ApplyChecks.safetyLimit(
                    runnable, managedRecords: ApplyChecks.managedRecordCount(run.desired, run.observation))
            {
                throw .safetyLimit(reason)
            }
            if !force, let reason = ApplyChecks.zoneChangeLimit(runnable, maxChangesPerZone: maxZoneChanges) {
                throw .safetyLimit(reason)
            }
            // Nothing to confirm when everything is left to the operator.
            let nothingToRun = runnable.actions.isEmpty && runnable.pendingReloads == nil
            if !yes && !nothingToRun {
                guard isatty(STDIN_FILENO) == 1 else {
                    throw .notConfirmed("standard input is not a terminal; pass --yes to apply without confirmation")
                }
                let count = runnable.actions.count
                let question =
                    count == 0
                    ? "Finish the interrupted apply (reload)?"
                    : count == 1 ? "Apply this change?" : "Apply these \(count) changes?"
                print("\n\(question) Only 'yes' is accepted: ", terminator: "")
                guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                    throw .notConfirmed("not applied: the answer was not 'yes'")
                }
            }
            var applier = Applier(desired: run.desired, dns: run.provider, state: state)
            applier.verifyTimeout = verifyTimeout
            applier.allowSymlinksOutside = allowSymlinksOutside
            applier.keepBackups = keepBackups
            applier.propagationTimeout = propagationTimeout
            let text = options.format == .text
            applier.progress = { line in if text { Terminal.printLine(line) } }
            let applyStarted = Date()
            var deferred: [Reconciler.Action] = []
            if !nothingToRun {
                do {
                    deferred = try await applier.apply(runnable, observation: run.observation)
                } catch {
                    applied = Self.actionsDone(journalOf: state, since: applyStarted)
                    throw error
                }
            }
            applied = runnable.actions.count - deferred.count
            switch options.format {
            case .text:
                if applied > 0 {
                    print("Applied \(applied) change\(applied == 1 ? "" : "s").")
                } else if runnable.pendingReloads != nil {
                    print("Finished the interrupted apply.")
                }
                if !deferred.isEmpty {
                    print(
                        "Left for a later apply: \(deferred.count) listen removal\(deferred.count == 1 ? "" : "s"), until resolvers can no longer hold the withdrawn records (see above)."
                    )
                }
                if let readOnly {
                    print(Self.manualDNSText(manual, skipped: plan.actions.count - applied - manual.count, reason: readOnly))
                }
            case .json:
                print(String(decoding: (try? plan.jsonData()) ?? Data(), as: UTF8.self))
            }
            reportManualFixes(plan, session)
            // Drift remains when the DNS changes were left to the operator (exit 2).
            return readOnly != nil
        }

        /// Drift no action fixes stays after apply: listed here (text), and apply exits 2.
        func reportManualFixes(_ plan: Reconciler.Plan, _ session: Session) {
            guard options.format == .text else { return }
            for line in session.renderer.manualFixes(plan.manualFixes) { print(line) }
        }

        /// What apply left to the operator when DNS is read-only: the exact records, and the
        /// nginx removals that wait for the withdrawals.
        static func manualDNSText(_ manual: [Action], skipped nginxRemovals: Int, reason: String) -> String {
            let renderer = PlanText(color: false, displayBase: "")
            var lines = [
                "Not applied: \(manual.count) DNS change\(manual.count == 1 ? "" : "s"), since \(reason). Make \(manual.count == 1 ? "it" : "them") by hand in the zone:"
            ]
            lines += manual.map { "  " + renderer.line(for: $0) }
            if nginxRemovals > 0 {
                lines.append(
                    "Not applied: \(nginxRemovals) nginx removal\(nginxRemovals == 1 ? ", which waits" : "s, which wait") until the records above are withdrawn; run `reconcile apply` again then."
                )
            }
            return lines.joined(separator: "\n")
        }

        /// The actions a failed apply carried out before it stopped, as the applier journaled
        /// them: a failed nginx phase is restored, so only whole phases count. 0 when the
        /// journal has no entry of this run (it could not be written).
        static func actionsDone(journalOf state: StateDirectory, since started: Date) -> Int {
            guard let data = FileManager.default.contents(atPath: state.path + "/journal.jsonl"),
                let last = data.split(separator: UInt8(ascii: "\n")).last,
                let entry = try? JSONDecoder().decode(JournalEntry.self, from: Data(last)),
                let time = ISO8601DateFormatter().date(from: entry.time),
                time >= started.addingTimeInterval(-1)
            else { return 0 }
            return entry.steps.count
        }
    }
}
