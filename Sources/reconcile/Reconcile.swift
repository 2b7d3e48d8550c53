import ArgumentParser

@main
struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Reconcile nginx and DNS with a desired state kept in git."
    )
}
