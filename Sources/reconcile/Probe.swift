import ArgumentParser
import Foundation
import Probe
import Reconciler

extension Reconcile {
    /// `reconcile probe`. Not named `Probe`: that is the module it drives.
    struct ProbeCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "probe",
            abstract: "Connect to every vhost over every desired family and port, as a client would.",
            discussion: """
                Reads the desired state, nginx's configuration and the managed zones, then for \
                each vhost, each desired family and each port connects to every address DNS \
                publishes for the name (the host's own addresses when DNS publishes none of \
                that family yet): TCP, on TLS ports a handshake with SNI and a check that the \
                certificate covers the name, then GET / with the Host header. Any HTTP status \
                but 400 counts as reachable. TLS is decided by the socket, as nginx decides it \
                (any block's `ssl` listen on the address:port, or `ssl on;`); where nginx's \
                configuration does not cover the address, on ports 443 and 8443 and wherever \
                the vhost's own block has `ssl`. One line per vhost, family, port and address, \
                so "IPv6 down, IPv4 up" reads at a glance. Then the families are compared: a \
                different certificate, status, redirect target or start of the body between \
                IPv4 and IPv6 is `families-differ`.

                Exit codes: 0 all reachable and alike, 2 some unreachable or families differ, \
                1 error (bad input, DNS or nginx configuration unreadable), 64 usage error.
                """
        )

        @OptionGroup var options: GlobalOptions
        @OptionGroup var observation: ObservationOptions
        @OptionGroup var hostOption: HostOption
        @OptionGroup var probe: ProbeOptions
        @OptionGroup var metrics: MetricsOptions

        func run() async throws {
            let session = Session(options: options, observation: observation, probe: probe, host: hostOption.host)
            let run = try await session.runOrExit(mode: "probe", metrics: metrics)
            let failed = run.probes.filter { !$0.succeeded }
            let differ = run.plan.findings.filter { $0.kind == .familiesDiffer }
            switch options.format {
            case .text:
                for line in ProbeResult.table(run.probes) { Terminal.printLine(line) }
                for finding in differ {
                    Terminal.printLine("\(finding.code) \(finding.slug): \(finding.message)")
                    for line in finding.evidence { Terminal.printLine("    " + line) }
                }
                for note in run.probeNotes { Terminal.printLine("note: " + note) }
                print(Self.summary(total: run.probes.count, failed: failed))
            case .json:
                JSONOutput.print(Report(run: run))
            }
            // The probe's findings are its own: the rest of the plan is `reconcile plan`'s.
            try session.recordSuccess(metrics, mode: "probe", run: run) {
                $0.kind == .unreachable || $0.kind == .familiesDiffer
            }
            if !failed.isEmpty || !differ.isEmpty { throw ExitCode(2) }
        }

        /// `2 of 4 probes failed: media.example.social ipv6 443.` or `All 4 probes answered.`
        static func summary(total: Int, failed: [ProbeResult]) -> String {
            guard total > 0 else { return "Nothing to probe." }
            guard !failed.isEmpty else { return total == 1 ? "The probe answered." : "All \(total) probes answered." }
            var seen: Set<String> = []
            let places = failed.map { "\($0.target.vhost) \($0.target.family.rawValue) \($0.target.port)" }
                .filter { seen.insert($0).inserted }
            return
                "\(failed.count) of \(total) probe\(total == 1 ? "" : "s") failed: \(places.joined(separator: ", "))."
        }

        /// The JSON form (schema 1): every probe with its outcome, and the desired state's identity.
        struct Report: Encodable {
            struct Entry: Encodable {
                let vhost: String
                let family: String
                let port: UInt16
                let address: String
                let tls: Bool
                let reachable: Bool
                /// The HTTP status, when one came back.
                let status: Int?
                let elapsedMs: Int?
                /// What failed, in words.
                let error: String?
                /// The text form's line.
                let line: String

                enum CodingKeys: String, CodingKey {
                    case vhost, family, port, address, tls, reachable, status, error, line
                    case elapsedMs = "elapsed_ms"
                }

                init(_ result: ProbeResult) {
                    vhost = result.target.vhost
                    family = result.target.family.rawValue
                    port = result.target.port
                    address = result.target.address
                    tls = result.target.tls
                    reachable = result.succeeded
                    switch result.outcome {
                    case .ok(let code, let elapsed):
                        status = code
                        elapsedMs = Int(
                            elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
                        error = nil
                    case .failed(let failure):
                        status = nil
                        elapsedMs = nil
                        error = failure.description
                    }
                    line = result.line
                }
            }

            let schema = 1
            /// True when every probe answered.
            let reachable: Bool
            let probes: [Entry]
            /// `families-differ` findings: a vhost and port where IPv4 and IPv6 clients got
            /// different answers.
            let familiesDiffer: [Finding]
            let notes: [String]
            let desired: DesiredFingerprint
            let reconcileVersion = ReconcileVersion.current

            enum CodingKeys: String, CodingKey {
                case schema, reachable, probes, notes, desired
                case familiesDiffer = "families_differ"
                case reconcileVersion = "reconcile_version"
            }

            init(run: Reconciliation.Result) {
                reachable = run.probes.allSatisfy(\.succeeded)
                probes = run.probes.map(Entry.init)
                familiesDiffer = run.plan.findings.filter { $0.kind == .familiesDiffer }
                notes = run.probeNotes
                desired = run.plan.desired
            }
        }
    }
}
