import ArgumentParser
import DesiredState
import Foundation
import Probe
import Reconciler

/// Options of commands that observe nginx and DNS.
struct ObservationOptions: ParsableArguments {
    @Option(name: .customLong("dns-timeout"), help: ArgumentHelp("Seconds to wait for each DNS answer.", valueName: "seconds"))
    var dnsTimeout: Double = 3

    @Flag(name: .customLong("no-interface-check"), help: "Do not check that the host's addresses are on this machine's interfaces.")
    var noInterfaceCheck = false

    @Option(
        name: .customLong("host"),
        help: ArgumentHelp(
            "With hosts: in the desired state, the host this run is (default: the one whose addresses are on this machine's interfaces).",
            valueName: "name"))
    var host: String?
}

/// `--withdraw-unhealthy` of plan and apply (DESIGN §15).
struct FleetOptions: ParsableArguments {
    @Flag(
        name: .customLong("withdraw-unhealthy"),
        help: "With hosts:, withdraw this host's address of a vhost and family its nginx does not serve (never the last one).")
    var withdrawUnhealthy = false
}

/// Options of commands that probe the vhosts (DESIGN §8): `probe`, and `plan --probe`.
struct ProbeOptions: ParsableArguments {
    @Option(
        name: .customLong("timeout"),
        help: ArgumentHelp(
            "Seconds each probe may take in all: connect, TLS handshake, GET / and its first 64 KiB (default 5).",
            valueName: "seconds"))
    var timeoutOption: Double?

    @Option(
        name: .customLong("concurrency"),
        help: ArgumentHelp("How many probes run at once (default 64).", valueName: "n"))
    var concurrencyOption: Int?

    @Option(
        help: ArgumentHelp(
            "PEM file of the certificate authorities to trust instead of the system store (a private CA, or self-signed certificates).",
            valueName: "path"))
    var caFile: String?

    var timeout: Double { timeoutOption ?? 5 }
    var concurrency: Int { concurrencyOption ?? 64 }

    /// Whether any probe option was given (`plan` refuses them without `--probe`).
    var isGiven: Bool { timeoutOption != nil || concurrencyOption != nil || caFile != nil }

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else {
            throw ValidationError("--timeout \(timeout): give the seconds a probe may take, more than 0 and at most 3600")
        }
        guard concurrency >= 1 else { throw ValidationError("--concurrency \(concurrency): at least one probe must run") }
    }

    /// Probes `targets`; an unreadable or non-PEM CA file is an error of the run, not a failure
    /// of every probe.
    func probe(_ targets: [ProbeTarget]) async throws(ReconcileError) -> [ProbeResult] {
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw .other("cannot read the CA file \(caFile) given with --ca-file")
        }
        if let caFile, let reason = Prober.unusableCAFile(caFile) { throw .other(reason) }
        let prober = Prober(timeout: .milliseconds(Int64(timeout * 1000)), concurrency: concurrency, caFile: caFile)
        return await prober.probe(targets)
    }
}

/// `--metrics-file`, taken by plan, apply and probe (docs/metrics.md).
struct MetricsOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "After the run (also a failed one), write its Prometheus metrics to this file, atomically, for node_exporter's textfile collector.",
            valueName: "path"))
    var metricsFile: String?

    func validate() throws {
        if let metricsFile, !metricsFile.hasSuffix(".prom") {
            throw ValidationError(
                "--metrics-file \(metricsFile): node_exporter's textfile collector reads only files whose name ends in .prom")
        }
    }
}

/// What plan, apply and probe share: load, observe, probe, plan, print, record metrics.
struct Session {
    let options: GlobalOptions
    let observation: ObservationOptions
    /// Set when the run probes the vhosts.
    var probe: ProbeOptions?
    /// Set by apply, which holds the state directory's lock while it plans.
    var holdsStateLock = false
    /// apply's `--allow-symlinks-outside`, for the zone file's writer.
    var allowSymlinksOutside = false
    /// `--withdraw-unhealthy`.
    var withdrawUnhealthy = false
    /// When the run started, for the metrics' duration.
    let startedAt = Date()

    init(options: GlobalOptions, observation: ObservationOptions, probe: ProbeOptions? = nil) {
        self.options = options
        self.observation = observation
        self.probe = probe
    }

    var cwd: String { FileManager.default.currentDirectoryPath }

    var color: Bool { !options.noColor && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }

    var renderer: PlanText { PlanText(color: color, displayBase: cwd, verbose: options.verbose) }

    func loadDesired() throws(ReconcileError) -> DesiredState {
        do {
            return try DesiredStateLoader().load(directory: options.desired)
        } catch {
            throw .desiredState(error)
        }
    }

    /// Everything one run computed.
    struct Run {
        let desired: DesiredState
        let provider: any DNSProvider
        let observation: Observation
        let plan: Reconciler.Plan
        /// In target order; empty when the run did not probe.
        let probes: [ProbeResult]
        /// What the probe planner decided (skipped vhosts, fallback addresses); also in the plan's notes.
        let probeNotes: [String]
    }

    func run() async throws(ReconcileError) -> Run {
        let progress = ProgressLine()
        defer { progress.finish() }
        progress.step("reading the desired state in \(options.desired)")
        let desired = try FleetRun.scope(try loadDesired(), host: observation.host)
        let provider = FleetRun.provider(
            try DNSProviders.make(
                for: desired.dns, timeout: .milliseconds(Int(observation.dnsTimeout * 1000)),
                allowSymlinksOutside: allowSymlinksOutside),
            desired: desired, directory: options.desired)
        var observer = Observer(desired: desired, dns: provider)
        observer.checkInterfaces = !observation.noInterfaceCheck
        observer.dnsTimeout = .milliseconds(Int(observation.dnsTimeout * 1000))
        observer.progress = { progress.step($0) }
        observer.stateDirectory = StateDirectory(path: options.stateDir)
        observer.holdsStateLock = holdsStateLock
        var observed = try await observer.observe()
        var probes: [ProbeResult] = []
        var probeNotes: [String] = []
        if let probe {
            let schedule = ProbePlanner(desired: desired, dns: observed.dns, nginx: observed.nginx).schedule()
            progress.step("probing \(schedule.targets.count) address\(schedule.targets.count == 1 ? "" : "es")")
            probes = try await probe.probe(FleetRun.probeTargets(schedule.targets, desired: desired))
            probeNotes = schedule.notes
            observed.probes = probes.map(ProbeOutcome.init)
        }
        progress.step("planning")
        let fingerprint = Fingerprints.desiredState(desired, directory: options.desired)
        var plan = FleetRun.plan(
            Planner(desired: desired, observation: observed, fingerprint: fingerprint, displayBase: cwd),
            provider: provider, directory: options.desired, withdrawUnhealthy: withdrawUnhealthy)
        plan.notes += probeNotes
        return Run(
            desired: desired, provider: provider, observation: observed, plan: plan, probes: probes, probeNotes: probeNotes)
    }

    func header(_ plan: Reconciler.Plan, _ desired: DesiredState) -> [(String, String)] {
        // Both paths shown the same way: relative to the working directory when under it.
        let desiredPath = Paths.display(
            Paths.normalize(options.desired.hasPrefix("/") ? options.desired : cwd + "/" + options.desired), from: cwd)
        var state = "\(desiredPath) (\(desired.vhosts.count) vhost\(desired.vhosts.count == 1 ? "" : "s")"
        if let commit = plan.desired.gitCommit {
            state += ", git \(commit.prefix(12))\(plan.desired.gitDirty == true ? " with uncommitted changes" : "")"
        }
        state += ")"
        var lines = [("desired", state), ("nginx", Paths.display(plan.nginxConfig, from: cwd)), ("dns", plan.dnsSource)]
        if options.verbose {
            // What apply would run, programs resolved to absolute paths at load time.
            lines.append(("test", desired.nginx.test.joined(separator: " ")))
            lines.append(("reload", desired.nginx.reload.joined(separator: " ")))
            if case .zonefile(_, let reload?) = desired.dns.provider {
                lines.append(("zone reload", reload.joined(separator: " ")))
            }
        }
        return lines
    }

    /// Writes the run's metrics when `--metrics-file` was given. `run` is nil when the run failed
    /// before it had a plan; `findings` narrows the plan's findings (probe reports only its own).
    func writeMetrics(
        _ metrics: MetricsOptions, mode: String, run: Run?, success: Bool, changesApplied: Int = 0,
        findings: (Finding) -> Bool = { _ in true }
    ) throws(ReconcileError) {
        guard let path = metrics.metricsFile else { return }
        let commit = run.map { $0.plan.desired.gitCommit } ?? desiredCommitWithoutRun()
        var snapshot = MetricsSnapshot(
            mode: mode, findings: run?.plan.findings.filter(findings) ?? [], startedAt: startedAt, finishedAt: Date(),
            success: success, probes: (run?.probes ?? []).map(MetricsSnapshot.ProbeSample.init),
            changesApplied: changesApplied, desiredCommit: commit, pendingReloads: run?.plan.pendingReloads?.count ?? 0,
            planned: run != nil)
        snapshot.checksNotRun = (run?.plan.checksNotRun ?? []).map(\.check)
        snapshot.nameservers =
            run.map { MetricsSnapshot.nameserverSamples($0.observation, names: $0.desired.vhosts.map(\.dnsName)) } ?? []
        try MetricsFile.write(snapshot.prometheusText(), to: path)
    }

    /// ``run()`` for a command that records metrics: on failure the error is printed and the
    /// metrics written (`success` 0) before exiting with the error's code.
    func runOrExit(mode: String, metrics: MetricsOptions) async throws -> Run {
        do {
            return try await run()
        } catch {
            fail(error, mode: mode, metrics: metrics)
            throw ExitCode(error.exitCode)
        }
    }

    /// Writes the metrics of a run that completed; a file that cannot be written fails the run
    /// (exit 1), since the timer's alerting depends on it.
    func recordSuccess(
        _ metrics: MetricsOptions, mode: String, run: Run?, changesApplied: Int = 0,
        findings: (Finding) -> Bool = { _ in true }
    ) throws {
        do {
            try writeMetrics(metrics, mode: mode, run: run, success: true, changesApplied: changesApplied, findings: findings)
        } catch {
            fail(error)
            throw ExitCode(error.exitCode)
        }
    }

    /// Reports a failed run: the error, then its metrics (`success` 0); a metrics file that
    /// cannot be written is said too, but the run's own error decides the exit code.
    func fail(_ error: ReconcileError, mode: String, metrics: MetricsOptions, run: Run? = nil, changesApplied: Int = 0) {
        fail(error)
        do {
            try writeMetrics(metrics, mode: mode, run: run, success: false, changesApplied: changesApplied)
        } catch {
            Terminal.printError("error: " + error.description)
        }
    }

    /// The desired state's commit when the run failed before fingerprinting it (an invalid
    /// desired state, a broken nginx config, DNS down): the metrics still say which commit was
    /// being run, so an alert on a failed run points at the commit that broke it.
    private func desiredCommitWithoutRun() -> String? {
        Fingerprints.gitCommit(directory: options.desired).commit
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

extension ProbeOutcome {
    /// A probe result as the planner takes it: the failure in words, the aligned line as evidence.
    init(_ result: ProbeResult) {
        self.init(
            vhost: result.target.vhost, family: result.target.family.rawValue, port: result.target.port,
            address: result.target.address, failure: result.failure?.description, line: result.line)
        response = result.response
    }
}
