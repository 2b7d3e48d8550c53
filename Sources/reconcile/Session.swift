import ArgumentParser
import Foundation
import Reconciler

/// What plan, apply and probe share on the command line: the ``Reconciliation`` their flags
/// describe, how its plan is printed, and its metrics and errors reported.
struct Session {
    let options: GlobalOptions
    let reconciliation: Reconciliation
    /// When the run started, for the metrics' duration.
    let startedAt = Date()
    /// Says on standard error, when that is a terminal, what a slow run waits for.
    let progress = ProgressLine()

    init(
        options: GlobalOptions, observation: ObservationOptions, probe: ProbeOptions? = nil, host: String? = nil,
        withdrawUnhealthy: Bool = false
    ) {
        self.options = options
        var settings = Reconciliation.Settings(
            desiredDirectory: options.desired, stateDirectory: options.stateDir,
            displayBase: FileManager.default.currentDirectoryPath)
        settings.dnsTimeout = observation.dnsTimeout
        settings.checkInterfaces = !observation.noInterfaceCheck
        settings.probe = probe?.settings
        settings.host = host
        settings.withdrawUnhealthy = withdrawUnhealthy
        var reconciliation = Reconciliation(settings: settings)
        reconciliation.progress = { [progress] in progress.step($0) }
        // The fault-injection tests' variables are read here, once, never on the write path.
        reconciliation.effects = SystemEffects(faults: FaultInjection.fromEnvironment())
        self.reconciliation = reconciliation
    }

    var cwd: String { reconciliation.settings.displayBase }

    var color: Bool {
        !options.noColor && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    var renderer: PlanText { PlanText(color: color, displayBase: cwd, verbose: options.verbose) }

    func header(_ result: Reconciliation.Result) -> [(String, String)] {
        PlanHeader.lines(
            result.plan, desired: result.desired, desiredDirectory: options.desired, displayBase: cwd,
            verbose: options.verbose)
    }

    /// Prints the run's plan as text, written out as it is rendered (a large plan's text is
    /// never held whole).
    func printPlan(_ result: Reconciliation.Result, suggestApply: Bool = true) {
        renderer.render(result.plan, header: header(result), suggestApply: suggestApply) { print($0, terminator: "") }
        print("")
    }

    /// Runs the reconciliation for a command that records metrics: on failure the error is
    /// printed and the metrics written (`success` 0) before exiting with the error's code.
    func runOrExit(mode: String, metrics: MetricsOptions?) async throws -> Reconciliation.Result {
        defer { progress.finish() }
        do {
            return try await reconciliation.run()
        } catch {
            fail(error, mode: mode, metrics: metrics)
            throw ExitCode(error.exitCode)
        }
    }

    /// Writes the run's metrics when `--metrics-file` was given.
    func writeMetrics(
        _ metrics: MetricsOptions?, mode: String, run: Reconciliation.Result?, success: Bool, changesApplied: Int = 0,
        findings: (Finding) -> Bool = { _ in true }
    ) throws(ReconcileError) {
        guard let path = metrics?.metricsFile else { return }
        let snapshot = reconciliation.metrics(
            mode: mode, result: run, success: success, startedAt: startedAt, changesApplied: changesApplied,
            findings: findings)
        try MetricsFile.write(snapshot.prometheusText(), to: path)
    }

    /// Writes the metrics of a run that completed; a file that cannot be written fails the run
    /// (exit 1), since the timer's alerting depends on it.
    func recordSuccess(
        _ metrics: MetricsOptions, mode: String, run: Reconciliation.Result?, changesApplied: Int = 0,
        findings: (Finding) -> Bool = { _ in true }
    ) throws {
        do {
            try writeMetrics(
                metrics, mode: mode, run: run, success: true, changesApplied: changesApplied, findings: findings)
        } catch {
            fail(error)
            throw ExitCode(error.exitCode)
        }
    }

    /// Reports a failed run: the error, then its metrics (`success` 0); a metrics file that
    /// cannot be written is said too, but the run's own error decides the exit code.
    func fail(
        _ error: ReconcileError, mode: String, metrics: MetricsOptions?, run: Reconciliation.Result? = nil,
        changesApplied: Int = 0
    ) {
        fail(error)
        do {
            try writeMetrics(metrics, mode: mode, run: run, success: false, changesApplied: changesApplied)
        } catch {
            Terminal.printError("error: " + error.description)
        }
    }

    func fail(_ error: ReconcileError) {
        switch options.format {
        case .text:
            Terminal.printError("error: " + error.description)
        case .json:
            JSONOutput.print(JSONFailure(error: error.description, exitCode: error.exitCode))
        }
    }
}
