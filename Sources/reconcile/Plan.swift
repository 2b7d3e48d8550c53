import ArgumentParser
import ContainedFiles
import Foundation
import Reconciler

extension Reconcile {
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the desired state with nginx and DNS and name every gap.",
            discussion: """
                Reads the desired state, nginx's configuration as nginx loads it (following \
                includes), the managed zones (AXFR, or queries when transfer is refused; or the \
                zone file) and this machine's addresses, then prints each finding with its \
                evidence and the actions `reconcile apply` would take. Needs no privileges (with \
                dns.tsig, read access to the key file: membership of its group) and \
                changes nothing.

                Exit codes: 0 in sync, 2 drift found, 1 error (bad input, unreachable DNS, \
                unparseable nginx configuration), 64 usage error.
                """
        )

        @OptionGroup var options: GlobalOptions
        @OptionGroup var observation: ObservationOptions
        @OptionGroup var hostOption: HostOption

        @Option(
            help: ArgumentHelp(
                "Also save the plan as JSON to this file, for `reconcile apply FILE`.", valueName: "file"))
        var out: String?

        @Flag(
            help:
                "Also connect to every vhost over every desired family and port (as `reconcile probe` does); failures are `unreachable` findings. --timeout, --concurrency and --ca-file set these probes and need --probe."
        )
        var probe = false

        @OptionGroup var probeOptions: ProbeOptions
        @OptionGroup var metrics: MetricsOptions
        @OptionGroup var fleet: FleetOptions

        func validate() throws {
            if !probe && probeOptions.isGiven {
                throw ValidationError("--timeout, --concurrency and --ca-file only apply with --probe")
            }
        }

        func run() async throws {
            let session = Session(
                options: options, observation: observation, probe: probe ? probeOptions : nil,
                host: hostOption.host, withdrawUnhealthy: fleet.withdrawUnhealthy)
            let run = try await session.runOrExit(mode: "plan", metrics: metrics)
            let plan = run.plan
            if let out {
                do {
                    try ContainedFile.write(Array(try plan.jsonData()), to: out, rule: .output)
                } catch let error as ContainedWriteError {
                    session.fail(.other(error.description), mode: "plan", metrics: metrics, run: run)
                    throw ExitCode(1)
                } catch {
                    session.fail(
                        .other("cannot write \(out): \(error.localizedDescription)"), mode: "plan", metrics: metrics,
                        run: run)
                    throw ExitCode(1)
                }
            }
            switch options.format {
            case .json:
                // Streamed as bytes while it is written: a large plan is never held whole.
                plan.streamJSON { FileHandle.standardOutput.write(Data($0)) }
                FileHandle.standardOutput.write(Data("\n".utf8))
            case .text:
                session.printPlan(run)
                if let out { Terminal.printLine("Saved the plan to \(out); apply it with `reconcile apply \(out)`.") }
            }
            try session.recordSuccess(metrics, mode: "plan", run: run)
            // Everything is written: end here rather than free the plan and all it was made
            // from object by object on the way out (a tenth of a large run).
            fflush(nil)
            Foundation.exit(plan.inSync ? 0 : 2)
        }
    }
}
