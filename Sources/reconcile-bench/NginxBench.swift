import ArgumentParser

struct NginxBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nginx", abstract: "Not implemented yet.")

    @Option(help: "Number of vhosts to generate.") var vhosts = 20000

    func run() throws {
        throw ValidationError("reconcile-bench nginx is not implemented yet")
    }
}
