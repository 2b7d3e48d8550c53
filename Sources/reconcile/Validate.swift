import ArgumentParser
import DesiredState
import Foundation
import Reconciler

extension Reconcile {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load and check the desired state only (no network, no nginx).",
            discussion: """
                Reads every *.yaml and *.yml file under --desired (recursively, sorted; hidden \
                directories such as .git are skipped), merges them and checks them: unknown keys, \
                wrong types, bad host names and addresses, out-of-range ports, vhosts declared \
                twice; files the YAML names that do not exist (an error for a relative path, a \
                warning for an absolute one, which may exist only on the host). Every problem is \
                printed as file:line:column: message.

                Exit codes: 0 valid, 1 invalid, 64 usage error.
                """
        )

        @OptionGroup var desiredOption: DesiredOption
        @OptionGroup var output: OutputOptions

        /// No state directory: validate reads the desired state only.
        var options: (desired: String, format: OutputFormat, verbose: Bool) {
            (desiredOption.desired, output.format, output.verbose)
        }

        func run() throws {
            let loader = DesiredStateLoader()
            do throws(DesiredStateError) {
                let state = try loader.load(directory: options.desired)
                let missing = state.missingPaths { FileManager.default.fileExists(atPath: $0) }
                if !missing.errors.isEmpty { throw DesiredStateError(missing.errors) }
                switch options.format {
                case .text:
                    for warning in missing.warnings {
                        Terminal.printError(
                            DesiredStateError.Problem(
                                file: warning.file, line: warning.line, column: warning.column,
                                message: "warning: " + warning.message
                            ).description)
                    }
                    let vhosts = state.vhosts.count
                    let files = state.files.count
                    print(
                        "\(options.desired): valid: \(vhosts) vhost\(vhosts == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s")"
                    )
                    if options.verbose {
                        for vhost in state.vhosts {
                            let families = vhost.families.map(\.rawValue).joined(separator: ", ")
                            let ports = vhost.ports.map(String.init).joined(separator: ", ")
                            let hosts =
                                state.fleet.map { "  hosts: " + $0.servers(of: vhost.name).joined(separator: ", ") }
                                ?? ""
                            print("  \(vhost.name)  families: \(families)  ports: \(ports)\(hosts)")
                        }
                    }
                case .json:
                    JSONOutput.print(ValidationReport(state: state, warnings: missing.warnings))
                }
            } catch {
                switch options.format {
                case .text:
                    for problem in error.problems { Terminal.printError(problem.description) }
                    let count = error.problems.count
                    Terminal.printError("\(count) error\(count == 1 ? "" : "s") in \(options.desired)")
                case .json:
                    JSONOutput.print(ValidationReport(errors: error.problems))
                }
                throw ExitCode(1)
            }
        }
    }
}

/// The JSON form of `validate` (schema 1).
struct ValidationReport: Encodable {
    struct Location: Encodable {
        let file: String
        let line: Int?
        let column: Int?
        let message: String
    }

    struct VhostSummary: Encodable {
        let name: String
        let families: [String]
        let ports: [UInt16]
        let zone: String
    }

    let schema = 1
    let valid: Bool
    let files: [String]
    let vhosts: [VhostSummary]
    let errors: [Location]
    let warnings: [Location]
    let reconcileVersion = ReconcileVersion.current

    enum CodingKeys: String, CodingKey {
        case schema, valid, files, vhosts, errors, warnings
        case reconcileVersion = "reconcile_version"
    }

    init(state: DesiredState, warnings: [DesiredStateError.Problem]) {
        valid = true
        self.warnings = warnings.map { Location(file: $0.file, line: $0.line, column: $0.column, message: $0.message) }
        files = state.files
        vhosts = state.vhosts.map {
            VhostSummary(
                name: $0.name, families: $0.families.map(\.rawValue), ports: $0.ports, zone: $0.zone.description)
        }
        errors = []
    }

    init(errors problems: [DesiredStateError.Problem]) {
        valid = false
        files = []
        vhosts = []
        errors = problems.map { Location(file: $0.file, line: $0.line, column: $0.column, message: $0.message) }
        warnings = []
    }
}
