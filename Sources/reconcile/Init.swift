import ArgumentParser
import Foundation
import Reconciler

extension Reconcile {
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a desired state from this host's nginx and DNS, then plan it.",
            discussion: """
                Reads nginx's configuration (following includes) and writes DIR/reconcile.yaml: \
                host.ipv4 / host.ipv6 from this machine's global addresses (loopback, link-local, \
                private and documentation ranges left out, each said in a comment; --ipv4 / --ipv6 \
                give them instead), nginx.config, dns as given, and one vhost per server_name in \
                a managed zone, with the ports of its listens and the families DNS publishes for \
                it (A: ipv4, AAAA: ipv6). Each value is commented with where it came from; \
                wildcard, regular-expression and default-server names are listed as comments. \
                Never writes over a desired state (--force does), loads what it wrote with the \
                strict loader, then prints the plan of it.

                Exit codes: 0 written and in sync, 2 written and drift found, 1 error, 3 refused \
                (a desired state is already there), 64 usage error.
                """
        )

        @Option(help: ArgumentHelp("nginx's main configuration file.", valueName: "path"))
        var nginx = "/etc/nginx/nginx.conf"

        @Option(
            name: .customLong("zone"),
            help: ArgumentHelp("A zone reconcile manages (repeat for more).", valueName: "zone"))
        var zones: [String] = []

        @Option(
            help: ArgumentHelp("How DNS is read and written (dns.provider).", valueName: "provider"))
        var provider: InitProvider = .rfc2136

        @Option(
            help: ArgumentHelp("The zone's primary server (rfc2136; optional for authoritative).", valueName: "addr"))
        var server: String?

        @Option(help: ArgumentHelp("The zone's master file (provider zonefile).", valueName: "path"))
        var zonefile: String?

        @Option(
            name: .customLong("nameserver"),
            help: ArgumentHelp(
                "An authoritative server to check (repeat; default: the zone's NS set).", valueName: "addr"))
        var nameservers: [String] = []

        @Option(
            help: ArgumentHelp(
                "The host's IPv4 address instead of the interfaces' (repeat for more).", valueName: "addr"))
        var ipv4: [String] = []

        @Option(
            help: ArgumentHelp(
                "The host's IPv6 address instead of the interfaces' (repeat for more).", valueName: "addr"))
        var ipv6: [String] = []

        @Option(help: ArgumentHelp("Directory to write reconcile.yaml in.", valueName: "dir"))
        var out = "desired-state"

        @Flag(help: "Write reconcile.yaml even where a desired state already is.")
        var force = false

        @OptionGroup var stateDirOption: StateDirOption
        @OptionGroup var observation: ObservationOptions

        @Flag(name: .long, help: "Never colour the output (it is only coloured on a terminal anyway).")
        var noColor = false

        func run() async throws {
            var request = Adopter.Request()
            request.nginxConfig = nginx
            request.zones = zones
            request.provider = provider.rawValue
            request.server = server
            request.zoneFile = zonefile
            request.nameservers = nameservers
            if !ipv4.isEmpty || !ipv6.isEmpty { (request.ipv4, request.ipv6) = (ipv4, ipv6) }
            request.output = out
            request.force = force
            request.dnsTimeout = .milliseconds(Int(observation.dnsTimeout * 1000))
            let result: Adopter.Result
            do {
                result = try await Adopter(request: request).run()
            } catch {
                Terminal.printError("error: " + error.description)
                throw ExitCode(error.exitCode)
            }
            let count = result.draft.vhosts.count
            Terminal.printLine("Wrote \(result.path): \(count) vhost\(count == 1 ? "" : "s"), valid.")
            for skipped in result.draft.skipped {
                Terminal.printLine(
                    "  not a vhost: \(skipped.location) \(YAMLText.quoted(skipped.text)): \(skipped.reason)")
            }
            for note in result.draft.host.notes { Terminal.printLine("  host: \(note)") }
            print("")
            let options = try GlobalOptions.parse(
                ["--desired", out, "--state-dir", stateDirOption.stateDir] + (noColor ? ["--no-color"] : []))
            let session = Session(options: options, observation: observation)
            // init writes no metrics file: it is not a run the timer makes.
            let run = try await session.runOrExit(mode: "plan", metrics: nil)
            session.printPlan(run)
            fflush(nil)
            Foundation.exit(run.plan.inSync ? 0 : 2)
        }
    }
}

/// `init --provider`: the desired state's `dns.provider` values.
enum InitProvider: String, ExpressibleByArgument, CaseIterable {
    case rfc2136, zonefile, authoritative
}
