import ArgumentParser

struct PlanBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Not implemented yet.")

    @Option(help: "Number of vhosts to generate.") var vhosts = 20000

    func run() throws {
        throw ValidationError("reconcile-bench plan is not implemented yet")
    }
}
