import ArgumentParser

@main
struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Keep nginx and DNS in line with a desired state kept in git.",
        discussion: """
            The desired state (YAML files under --desired, default ./desired-state) lists each \
            vhost and the address families, IPv4 and IPv6, it must be served on. reconcile \
            checks that every published address family is actually served by nginx.

            Exit codes: 0 success, 1 error (bad input), 2 drift found, 3 refused.
            """,
        subcommands: [Plan.self, Apply.self, ProbeCommand.self, Validate.self, Units.self]
    )
}
