import ArgumentParser
import DesiredState
import Foundation
import Reconciler

extension Reconcile {
    struct Units: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print (or install) the systemd service and timer that run reconcile.",
            discussion: """
                Prints reconcile.service and reconcile.timer, each after a "# reconcile.service" / \
                "# reconcile.timer" line. The service runs this binary (its absolute path) in plan \
                mode (detect and alert) or apply mode (self-heal), hardened: read-only system, no \
                new privileges, a minimal capability set; in plan mode only the state directory and \
                the metrics file's directory are writable. The nginx config and zone file \
                directories made writable in apply mode are read from the desired state.

                With --install the units are written to ROOT/etc/systemd/system/ and the systemctl \
                commands that enable them are printed. See docs/systemd.md.

                Exit codes: 0 printed or installed, 1 error, 64 usage error.
                """
        )

        @OptionGroup var desiredOption: DesiredOption
        @OptionGroup var stateDirOption: StateDirOption

        /// No output format: the units are unit files.
        var options: (desired: String, stateDir: String) { (desiredOption.desired, stateDirOption.stateDir) }

        @Option(help: "plan (detect and alert) or apply (self-heal).")
        var mode: SystemdUnits.Mode = .plan

        @Option(help: ArgumentHelp("Time between runs, as a systemd time span.", valueName: "span"))
        var interval = "5min"

        @Option(help: ArgumentHelp("Prometheus textfile the service writes.", valueName: "path"))
        var metricsFile: String?

        @Flag(help: "Run `git pull --ff-only` in the desired-state checkout before each run.")
        var gitPull = false

        @Option(help: ArgumentHelp("Binary the service runs (default: this one).", valueName: "path"))
        var executable: String?

        @Option(
            name: .customLong("host"),
            help: ArgumentHelp("With hosts: in the desired state, the host the service runs as.", valueName: "name"))
        var fleetHost: String?

        @Flag(
            name: .customLong("withdraw-unhealthy"),
            help:
                "With hosts:, the service withdraws this host's address where its nginx (in apply mode: its own probe) does not serve."
        )
        var withdrawUnhealthy = false

        @Flag(help: "Write the units under --root instead of printing them.")
        var install = false

        @Option(help: ArgumentHelp("Root directory for --install.", valueName: "dir"))
        var root = "/"

        func validate() throws {
            if root != "/" && !install { throw ValidationError("--root is only meaningful with --install") }
        }

        func run() throws {
            let writable: (nginx: [String], zones: [String])
            do {
                writable = try SystemdUnits.writableDirectories(
                    desiredDirectory: options.desired, shown: Self.absolute(options.desired), mode: mode
                ) { Terminal.printError($0) }
            } catch {
                Terminal.printError("error: \(error)")
                throw ExitCode(1)
            }
            var units = SystemdUnits(
                mode: mode, executable: executable ?? Self.runningBinary(), desiredDir: Self.absolute(options.desired),
                stateDir: Self.absolute(options.stateDir), interval: interval,
                metricsFile: metricsFile.map(Self.absolute),
                gitPull: gitPull, nginxConfigDirs: writable.nginx, zoneDirs: writable.zones)
            units.fleetHost = fleetHost
            units.withdrawUnhealthy = withdrawUnhealthy
            do {
                try units.validate()
                let problems = units.problems { Fingerprints.gitCommit(directory: $0).commit != nil }
                if !problems.isEmpty {
                    for problem in problems { Terminal.printError("error: " + problem) }
                    throw ExitCode(1)
                }
                for adjustment in units.adjustments { Terminal.printError("note: " + adjustment) }
                guard install else {
                    print("# reconcile.service\n\(units.service)\n# reconcile.timer\n\(units.timer)", terminator: "")
                    return
                }
                for path in try units.install(root: root) { print("wrote \(path)") }
                if root == "/" {
                    print("enable with:\n  systemctl daemon-reload\n  systemctl enable --now reconcile.timer")
                } else {
                    print(
                        "on the target system, enable with:\n  systemctl daemon-reload\n  systemctl enable --now reconcile.timer"
                    )
                }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                Terminal.printError("error: \(error)")
                throw ExitCode(1)
            }
        }

        static func runningBinary() -> String {
            if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
            return absolute(CommandLine.arguments[0])
        }

        static func absolute(_ path: String) -> String {
            if path.hasPrefix("/") { return (path as NSString).standardizingPath }
            let joined = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
            return (joined as NSString).standardizingPath
        }
    }
}

extension SystemdUnits.Mode: ExpressibleByArgument {}
