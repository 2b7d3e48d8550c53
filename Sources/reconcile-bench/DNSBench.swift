import ArgumentParser

struct DNSBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns", abstract: "Not implemented yet.")

    @Option(help: "Number of vhosts to generate.") var vhosts = 20000

    func run() throws {
        throw ValidationError("reconcile-bench dns is not implemented yet")
    }
}
