import ArgumentParser
import Foundation
import Reconciler

@main
struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Keep nginx and DNS in line with a desired state kept in git.",
        discussion: """
            The desired state (YAML files under --desired, default ./desired-state) lists each \
            vhost and the address families, IPv4 and IPv6, it must be served on. reconcile \
            checks that every published address family is actually served by nginx.

            Exit codes: 0 success, 1 error (bad input), 2 drift found, 3 refused, 64 usage \
            error (an unknown flag or a bad value).
            """,
        version: ReconcileVersion.current,
        subcommands: [Init.self, Plan.self, Apply.self, ProbeCommand.self, Validate.self, Units.self]
    )

    /// ArgumentParser's own entry point, except that a usage error (exit 64) under
    /// `--format json` is printed as the JSON error object a script parses, not as text.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error).rawValue == 64, Self.wantsJSON(CommandLine.arguments.dropFirst()) {
                JSONOutput.print(JSONFailure(error: message(for: error), exitCode: 64))
                Foundation.exit(64)
            }
            exit(withError: error)
        }
    }

    /// Whether the arguments ask for `--format json` (both spellings).
    static func wantsJSON(_ arguments: ArraySlice<String>) -> Bool {
        if arguments.contains("--format=json") { return true }
        guard let index = arguments.firstIndex(of: "--format") else { return false }
        return arguments.index(after: index) < arguments.endIndex && arguments[arguments.index(after: index)] == "json"
    }
}
