import ArgumentParser

struct YAMLBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "yaml", abstract: "Not implemented yet.")
    @Option(help: "Number of vhosts to generate.") var vhosts = 20000
    func run() throws { throw ValidationError("not implemented yet") }
}
