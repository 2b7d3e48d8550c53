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

                Exit codes: 0 applied or nothing to do, 1 error, 3 refused (stale saved plan, \
                safety limit, lock held, not confirmed).
                """
        )

        @OptionGroup var options: GlobalOptions
        @OptionGroup var observation: ObservationOptions

        @Argument(help: ArgumentHelp("A plan saved by `reconcile plan --out FILE`; refused if the world changed since.", valueName: "planfile"))
        var planFile: String?

        @Flag(help: "Apply without asking (required when standard input is not a terminal).")
        var yes = false

        @Flag(help: "Apply even when the plan exceeds the safety limit (deleting over 30% of the managed records).")
        var force = false

        @Option(help: ArgumentHelp("Seconds to wait for another apply's lock before giving up (exit 3).", valueName: "seconds"))
        var lockTimeout: Double = 60

        @Option(help: ArgumentHelp("Seconds to wait for new nginx sockets to answer after a reload.", valueName: "seconds"))
        var verifyTimeout: Double = 10

        func run() async throws {
            let session = Session(options: options, observation: observation)
            do {
                try await apply(session)
            } catch {
                session.fail(error)
                throw ExitCode(error.exitCode)
            }
        }

        func apply(_ session: Session) async throws(ReconcileError) {
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
            let run = try await session.run()
            let plan = run.plan
            if let saved {
                let reasons = ApplyChecks.staleness(saved: saved, fresh: plan)
                if !reasons.isEmpty { throw .stalePlan(reasons) }
            }
            if options.format == .text {
                print(session.renderer.render(plan, header: session.header(plan, run.desired), suggestApply: false))
            }
            guard !plan.actions.isEmpty else {
                if options.format == .text { print("Nothing to do.") }
                return
            }
            if plan.actions.contains(where: { $0.kind == .dnsAdd || $0.kind == .dnsDelete }),
                let reason = run.provider.readOnlyReason
            {
                throw .other("the plan changes DNS, but \(reason)")
            }
            if !force,
                let reason = ApplyChecks.safetyLimit(
                    plan, managedRecords: ApplyChecks.managedRecordCount(run.desired, run.observation))
            {
                throw .safetyLimit(reason)
            }
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else {
                    throw .notConfirmed("standard input is not a terminal; pass --yes to apply without confirmation")
                }
                print("\nApply these \(plan.actions.count) changes? Only 'yes' is accepted: ", terminator: "")
                guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                    throw .notConfirmed("not applied: the answer was not 'yes'")
                }
            }
            var applier = Applier(desired: run.desired, dns: run.provider, state: state)
            applier.verifyTimeout = verifyTimeout
            let text = options.format == .text
            applier.progress = { line in if text { print(line) } }
            try await applier.apply(plan, observation: run.observation)
            switch options.format {
            case .text:
                print("Applied \(plan.actions.count) change\(plan.actions.count == 1 ? "" : "s").")
            case .json:
                print(String(decoding: (try? plan.jsonData()) ?? Data(), as: UTF8.self))
            }
        }
    }
}
