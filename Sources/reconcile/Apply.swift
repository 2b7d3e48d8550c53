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
        @OptionGroup var hostOption: HostOption

        @Argument(
            help: ArgumentHelp(
                "A plan saved by `reconcile plan --out FILE`; refused if the world changed since.",
                valueName: "planfile"))
        var planFile: String?

        @Flag(help: "Apply without asking (required when standard input is not a terminal).")
        var yes = false

        @OptionGroup var applyOptions: ApplyOptions
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
        }

        func run() async throws {
            let session = Session(
                options: options, observation: observation, probe: probe ? probeOptions : nil,
                host: hostOption.host, withdrawUnhealthy: fleet.withdrawUnhealthy)
            var settings = applyOptions.settings
            var reconciliation = session.reconciliation
            reconciliation.settings.allowSymlinksOutside = applyOptions.allowSymlinksOutside
            let report: ApplyRun.Report
            do {
                settings.savedPlan = try planFile.map(Self.readPlan)
                report = try await makeRun(reconciliation, settings, session).run()
            } catch let failure as ApplyRun.Failure {
                session.fail(
                    failure.error, mode: "apply", metrics: metrics, run: failure.result, changesApplied: failure.applied
                )
                throw ExitCode(failure.error.exitCode)
            } catch let error as ReconcileError {
                session.fail(error, mode: "apply", metrics: metrics)
                throw ExitCode(error.exitCode)
            }
            show(report, session)
            try session.recordSuccess(metrics, mode: "apply", run: report.result, changesApplied: report.applied)
            // Drift no action fixes is still there: exit as the next plan would.
            if report.driftRemains { throw ExitCode(2) }
        }

        static func readPlan(_ path: String) throws(ReconcileError) -> Reconciler.Plan {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .other("cannot read the plan file \(path)")
            }
            return try Reconciler.Plan.decode(data)
        }

        /// The library's apply with this terminal's questions, notices and progress lines.
        func makeRun(_ reconciliation: Reconciliation, _ settings: ApplyRun.Settings, _ session: Session) -> ApplyRun {
            let (yes, text) = (yes, options.format == .text)
            var run = ApplyRun(reconciliation: reconciliation, settings: settings) { question throws(ReconcileError) in
                guard !yes else { return }
                guard isatty(STDIN_FILENO) == 1 else {
                    throw .notConfirmed("standard input is not a terminal; pass --yes to apply without confirmation")
                }
                print("\n\(question.text) Only 'yes' is accepted: ", terminator: "")
                guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                    throw .notConfirmed("not applied: the answer was not 'yes'")
                }
            }
            run.notice = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
            run.planned = { (result: Reconciliation.Result) in
                session.progress.finish()
                if text {
                    session.printPlan(result, suggestApply: false)
                }
            }
            run.progress = { (line: String) in if text { Terminal.printLine(line) } }
            return run
        }

        /// What the apply did and left, in the chosen format.
        func show(_ report: ApplyRun.Report, _ session: Session) {
            let plan = report.result.plan
            switch options.format {
            case .text:
                for line in session.renderer.applyReport(report) { print(line) }
            case .json:
                // With nothing to do, what is left is the answer: the findings that need a hand.
                guard !report.nothingToDo || !plan.manualFixes.isEmpty else { return }
                print(String(decoding: (try? plan.jsonData()) ?? Data(), as: UTF8.self))
            }
        }
    }
}
