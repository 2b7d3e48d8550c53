import ArgumentParser

/// Benchmarks at the sizes of DESIGN §12, on generated data. Each subcommand prints a
/// readable table and, as its last line, one JSON object with its figures.
@main
struct ReconcileBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile-bench",
        abstract: "Measure reconcile's parsers and planner on generated data (DESIGN §12).",
        subcommands: [YAMLBench.self, NginxBench.self, DNSBench.self, PlanBench.self]
    )
}
