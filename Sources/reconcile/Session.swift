import ArgumentParser
import DesiredState
import Foundation
import Reconciler

/// Options of commands that observe nginx and DNS.
struct ObservationOptions: ParsableArguments {
    @Option(name: .customLong("dns-timeout"), help: ArgumentHelp("Seconds to wait for each DNS answer.", valueName: "seconds"))
    var dnsTimeout: Double = 3

    @Flag(name: .customLong("no-interface-check"), help: "Do not check that the host's addresses are on this machine's interfaces.")
    var noInterfaceCheck = false
}

/// What plan and apply share: load, observe, plan, print.
struct Session {
    let options: GlobalOptions
    let observation: ObservationOptions

    var cwd: String { FileManager.default.currentDirectoryPath }

    var color: Bool { !options.noColor && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }

    var renderer: PlanText { PlanText(color: color, displayBase: cwd) }

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
    }

    func run() async throws(ReconcileError) -> Run {
        let desired = try loadDesired()
        let provider = try DNSProviders.make(for: desired.dns, timeout: .milliseconds(Int(observation.dnsTimeout * 1000)))
        var observer = Observer(desired: desired, dns: provider)
        observer.checkInterfaces = !observation.noInterfaceCheck
        let observed = try await observer.observe()
        let fingerprint = Fingerprints.desiredState(desired, directory: options.desired)
        let plan = Planner(desired: desired, observation: observed, fingerprint: fingerprint, displayBase: cwd).plan()
        return Run(desired: desired, provider: provider, observation: observed, plan: plan)
    }

    func makePlan() async throws(ReconcileError) -> (Reconciler.Plan, DesiredState) {
        let run = try await run()
        return (run.plan, run.desired)
    }

    func header(_ plan: Reconciler.Plan, _ desired: DesiredState) -> [(String, String)] {
        var state = "\(options.desired) (\(desired.vhosts.count) vhost\(desired.vhosts.count == 1 ? "" : "s")"
        if let commit = plan.desired.gitCommit {
            state += ", git \(commit.prefix(12))\(plan.desired.gitDirty == true ? " with uncommitted changes" : "")"
        }
        state += ")"
        return [("desired", state), ("nginx", plan.nginxConfig), ("dns", plan.dnsSource)]
    }

    func fail(_ error: ReconcileError) {
        switch options.format {
        case .text:
            Terminal.printError("error: " + error.description)
        case .json:
            struct Failure: Encodable {
                let schema = 1
                let error: String
                let exitCode: Int32
            }
            JSONOutput.print(Failure(error: error.description, exitCode: error.exitCode))
        }
    }
}
