import ArgumentParser

/// Flags every command takes (DESIGN §2).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory of desired-state YAML files.", valueName: "dir"))
    var desired = "desired-state"

    @Option(
        name: .long,
        help: ArgumentHelp("Where apply keeps its lock, backups and journal.", valueName: "dir"))
    var stateDir = "/var/lib/reconcile"

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Never colour the output (it is only coloured on a terminal anyway).")
    var noColor = false

    @Flag(name: .shortAndLong, help: "Say more about what is being done.")
    var verbose = false
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
