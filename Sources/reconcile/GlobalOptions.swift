import ArgumentParser

/// `--desired`, which every command takes (DESIGN §2).
struct DesiredOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory of desired-state YAML files.", valueName: "dir"))
    var desired = "desired-state"
}

/// `--state-dir`: apply's lock, backups and journal; plan and probe read it for an interrupted
/// apply's pending reloads; units puts it in the service's command line.
struct StateDirOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where apply keeps its lock, backups and journal (plan and probe read it for reloads an interrupted apply still owes).",
            valueName: "dir"))
    var stateDir = "/var/lib/reconcile"
}

/// How a command prints: `--format`, `--no-color`, `-v`.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Never colour the output (it is only coloured on a terminal anyway).")
    var noColor = false

    @Flag(
        name: .shortAndLong,
        help:
            "plan and apply: list each name that has only informational findings (more than three are otherwise counted in one line); validate: list each vhost with its families and ports."
    )
    var verbose = false
}

/// Flags of the commands that observe nginx and DNS: plan, apply, probe.
struct GlobalOptions: ParsableArguments {
    @OptionGroup var desiredOption: DesiredOption
    @OptionGroup var stateDirOption: StateDirOption
    @OptionGroup var output: OutputOptions

    var desired: String { desiredOption.desired }
    var stateDir: String { stateDirOption.stateDir }
    var format: OutputFormat { output.format }
    var noColor: Bool { output.noColor }
    var verbose: Bool { output.verbose }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
