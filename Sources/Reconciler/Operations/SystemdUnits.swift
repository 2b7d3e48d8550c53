import ContainedFiles
import DesiredState
import Foundation

/// The `reconcile.service` and `reconcile.timer` that run reconcile every few minutes
/// (DESIGN §9), hardened as far as each mode allows. docs/systemd.md explains every setting.
///
/// Plan mode only reads nginx's config and DNS: it runs with no capabilities in its own user
/// namespace and can write only the state and metrics directories. Apply mode must also write
/// nginx config and zone files (keeping their owner and mode), run `nginx -t` (which binds the
/// listen sockets and opens the log files) and signal nginx to reload, so it keeps the few
/// capabilities that needs and the nginx, log and zone directories writable.
public struct SystemdUnits: Sendable, Hashable {
    /// What the timer runs.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Detect and alert: `reconcile plan`.
        case plan
        /// Self-heal: `reconcile apply --yes`.
        case apply
    }

    /// Detect (plan) or self-heal (apply).
    public var mode: Mode
    /// Absolute path of the reconcile binary.
    public var executable: String
    /// Absolute path of the desired-state directory (a git checkout with `gitPull`).
    public var desiredDir: String
    /// Absolute path of the state directory (lock, backups, journal).
    public var stateDir: String
    /// systemd time span between runs, e.g. `5min`.
    public var interval: String
    /// Absolute path of the Prometheus textfile, if any.
    public var metricsFile: String?
    /// Pull the desired-state checkout (`git pull --ff-only`) before each run: the GitOps loop.
    public var gitPull: Bool
    /// Directories holding nginx's configuration (writable in apply mode).
    public var nginxConfigDirs: [String]
    /// Directories holding zone files of the `zonefile` provider (writable in apply mode).
    public var zoneDirs: [String]
    /// Absolute path of git for `ExecStartPre`.
    public var gitExecutable: String
    /// A fleet host's flags (DESIGN §15): `--host NAME`, `--withdraw-unhealthy` (with `--probe`
    /// in apply mode, so the host's own probe decides).
    public var fleetHost: String?
    public var withdrawUnhealthy = false

    /// Units for one installation; call ``validate()`` before printing them.
    public init(
        mode: Mode, executable: String, desiredDir: String, stateDir: String = "/var/lib/reconcile",
        interval: String = "5min", metricsFile: String? = nil, gitPull: Bool = false,
        nginxConfigDirs: [String] = ["/etc/nginx"], zoneDirs: [String] = [], gitExecutable: String = "/usr/bin/git"
    ) {
        self.mode = mode
        self.executable = executable
        self.desiredDir = desiredDir
        self.stateDir = stateDir
        self.interval = interval
        self.metricsFile = metricsFile
        self.gitPull = gitPull
        self.nginxConfigDirs = nginxConfigDirs
        self.zoneDirs = zoneDirs
        self.gitExecutable = gitExecutable
    }

    /// The units committed under `deploy/systemd/` for packagers: binary in /usr/bin, desired
    /// state in /etc/reconcile/desired-state, plan mode, metrics for node_exporter.
    public static let packaged = SystemdUnits(
        mode: .plan, executable: "/usr/bin/reconcile", desiredDir: "/etc/reconcile/desired-state",
        metricsFile: "/var/lib/prometheus/node-exporter/reconcile.prom")

    /// Checks what a unit file needs: absolute paths and a valid interval.
    public func validate() throws {
        _ = try SystemdTimeSpan(interval)
        let paths =
            [("--executable", executable), ("--desired", desiredDir), ("--state-dir", stateDir)]
            + (metricsFile.map { [("--metrics-file", $0)] } ?? [])
            + nginxConfigDirs.map { ("nginx config", $0) } + zoneDirs.map { ("zone file", $0) }
        for (option, path) in paths where !path.hasPrefix("/") {
            throw ReconcileError.relativePath(option: option, path: path)
        }
        if let fleetHost, !Fleet.isValidHostName(fleetHost) {
            throw ReconcileError.other(
                "--host \(fleetHost): a host name of hosts: is 1 to 63 lowercase letters, digits and \"-\"")
        }
    }

    /// What the service could not run with, as sentences that say what to change: a path its
    /// sandbox hides (/tmp under PrivateTmp=yes), `--git-pull` on a directory that is not a
    /// checkout, a metrics file the textfile collector ignores, a bare-number interval (which
    /// systemd reads as seconds). `isGitCheckout` is asked about the desired-state directory.
    public func problems(isGitCheckout: (String) -> Bool) -> [String] {
        var problems: [String] = []
        let trimmed = interval.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.allSatisfy({ $0.isNumber || $0 == "." }) {
            problems.append(
                "--interval \(interval): systemd reads a bare number as seconds, so the timer would run every \(trimmed) seconds; write \(trimmed)min for minutes (or \(trimmed)s if seconds are meant)"
            )
        }
        if let metricsFile, !metricsFile.hasSuffix(".prom") {
            problems.append(
                "--metrics-file \(metricsFile): node_exporter's textfile collector reads only files whose name ends in .prom"
            )
        }
        for (option, path) in namedPaths where Self.isUnder(path, ["/tmp", "/var/tmp"]) {
            problems.append(
                "\(option) \(path): the service runs with PrivateTmp=yes, so it sees its own empty /tmp and /var/tmp; keep this outside them"
            )
        }
        if gitPull && !isGitCheckout(desiredDir) {
            problems.append(
                "--git-pull: \(desiredDir) is not a git checkout, so `git pull --ff-only` would fail every run; clone the desired state there, or leave out --git-pull"
            )
        }
        return problems
    }

    /// What was adjusted for the paths given, in words (shown with the units).
    public var adjustments: [String] {
        guard protectHome == "read-only", !gitPull else { return [] }
        let under = namedPaths.filter { Self.isUnder($0.1, Self.homeDirectories) }.map { "\($0.0) \($0.1)" }
        return [
            "\(under.joined(separator: ", ")) \(under.count == 1 ? "is" : "are") under /home, /root or /run/user: the service gets ProtectHome=read-only instead of ProtectHome=yes, which would hide \(under.count == 1 ? "it" : "them")"
        ]
    }

    /// Every path the unit names, with the option that gave it.
    var namedPaths: [(String, String)] {
        [("--desired", desiredDir), ("--state-dir", stateDir)] + (metricsFile.map { [("--metrics-file", $0)] } ?? [])
            + nginxConfigDirs.map { ("nginx config directory", $0) } + zoneDirs.map { ("zone file directory", $0) }
    }

    static let homeDirectories = ["/home", "/root", "/run/user"]

    /// ProtectHome=yes hides home directories entirely; read-only when the service needs one.
    var protectHome: String {
        gitPull || namedPaths.contains(where: { Self.isUnder($0.1, Self.homeDirectories) }) ? "read-only" : "yes"
    }

    static func isUnder(_ path: String, _ directories: [String]) -> Bool {
        directories.contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    /// The command line the service runs.
    public var command: [String] {
        var argv = [executable]
        switch mode {
        case .plan: argv += ["plan"]
        case .apply: argv += ["apply", "--yes"]
        }
        argv += ["--desired", desiredDir, "--state-dir", stateDir, "--no-color"]
        if let metricsFile { argv += ["--metrics-file", metricsFile] }
        if let fleetHost { argv += ["--host", fleetHost] }
        if withdrawUnhealthy { argv += (mode == .apply ? ["--probe"] : []) + ["--withdraw-unhealthy"] }
        return argv
    }

    /// Directories the service may write: only these are writable under ProtectSystem=strict.
    public var writablePaths: [String] {
        var paths: [String] = []
        if !usesStateDirectory { paths.append(stateDir) }
        if let metricsFile { paths.append((metricsFile as NSString).deletingLastPathComponent) }
        if gitPull { paths.append(desiredDir) }
        if mode == .apply {
            paths += nginxConfigDirs + zoneDirs
            // nginx -t opens the log files and may create its temp directories; "-": optional.
            paths += ["-/var/log/nginx", "-/var/lib/nginx"]
        }
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    /// A state dir under /var/lib is created by systemd (StateDirectory=) with the right mode.
    var usesStateDirectory: Bool { stateDirectoryName != nil }

    var stateDirectoryName: String? {
        let prefix = "/var/lib/"
        guard stateDir.hasPrefix(prefix), stateDir.count > prefix.count else { return nil }
        return String(stateDir.dropFirst(prefix.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    /// Capabilities apply mode keeps (none in plan mode); see docs/systemd.md for each.
    public var capabilities: [String] {
        switch mode {
        case .plan: []
        case .apply: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        }
    }

    /// The text of `reconcile.service`.
    public var service: String {
        var lines = [
            "# Generated by `reconcile units`; regenerate it rather than editing it.",
            "[Unit]",
            "Description=Reconcile nginx and DNS with the desired state (\(mode.rawValue))",
            "Wants=network-online.target",
            "After=network-online.target nginx.service named.service",
            "",
            "[Service]",
            "Type=oneshot",
        ]
        if gitPull {
            lines.append(
                "ExecStartPre=" + Self.commandLine([gitExecutable, "-C", desiredDir, "pull", "--ff-only", "--quiet"]))
        }
        lines.append("ExecStart=" + Self.commandLine(command))
        // Drift (plan: found; apply: left to the operator) is reported by the exit code 2 and
        // the metrics; the run itself succeeded.
        lines.append("SuccessExitStatus=2")
        lines.append("TimeoutStartSec=\(interval)")
        if let name = stateDirectoryName {
            lines += ["StateDirectory=\(Self.escape(name))", "StateDirectoryMode=0700"]
        }
        lines += [
            "UMask=0077",
            "",
            "# Hardening: see docs/systemd.md for why each line is as it is.",
            "ProtectSystem=strict",
        ]
        let writable = writablePaths
        if !writable.isEmpty {
            lines.append("ReadWritePaths=" + writable.map(Self.escapePath).joined(separator: " "))
        }
        lines += [
            "ProtectHome=\(protectHome)",
            "PrivateTmp=yes",
            "PrivateDevices=yes",
            "PrivateMounts=yes",
            "NoNewPrivileges=yes",
            "CapabilityBoundingSet=" + capabilities.joined(separator: " "),
            "AmbientCapabilities=",
        ]
        if mode == .plan { lines.append("PrivateUsers=yes") }
        lines += [
            "ProtectKernelTunables=yes",
            "ProtectKernelModules=yes",
            "ProtectKernelLogs=yes",
            "ProtectControlGroups=yes",
            "ProtectClock=yes",
            "ProtectHostname=yes",
            // Not ProtectProc=invisible: it would hide nginx's workers (another user), which
            // apply watches to confirm a reload and plan reads to see when nginx last loaded
            // its configuration (config-not-loaded). /proc/PID entries are all it reads.
            "ProcSubset=pid",
            "RestrictNamespaces=yes",
            "RestrictRealtime=yes",
            "RestrictSUIDSGID=yes",
            "LockPersonality=yes",
            "MemoryDenyWriteExecute=yes",
            "RemoveIPC=yes",
            "KeyringMode=private",
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
            "SystemCallArchitectures=native",
            "SystemCallFilter=@system-service",
            mode == .plan
                ? "SystemCallFilter=~@privileged @resources"
                : "SystemCallFilter=~@resources @clock @module @raw-io @reboot @swap @obsolete @cpu-emulation @debug @mount",
            "SystemCallErrorNumber=EPERM",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The text of `reconcile.timer`.
    public var timer: String {
        let seconds = (try? SystemdTimeSpan(interval).seconds) ?? 300
        // Spread hosts that share a schedule, by a tenth of the interval, at most a minute.
        let delay = max(1, min(60, Int(seconds / 10)))
        let lines = [
            "# Generated by `reconcile units`; regenerate it rather than editing it.",
            "[Unit]",
            "Description=Run reconcile (\(mode.rawValue)) every \(interval)",
            "",
            "[Timer]",
            "OnBootSec=1min",
            "OnUnitActiveSec=\(interval)",
            "RandomizedDelaySec=\(delay)s",
            "AccuracySec=1s",
            "Unit=reconcile.service",
            "",
            "[Install]",
            "WantedBy=timers.target",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Installs both units under `root` (`/` for the running system) as
    /// `etc/systemd/system/reconcile.{service,timer}`; returns the paths written.
    public func install(root: String) throws -> [String] {
        let directory = (root as NSString).appendingPathComponent("etc/systemd/system")
        do {
            _ = try OpenDirectory.open(directory, rule: .output, createMode: 0o755)
        } catch {
            throw ReconcileError.cannotWrite(path: directory, reason: error.description)
        }
        var written: [String] = []
        for (name, text) in [("reconcile.service", service), ("reconcile.timer", timer)] {
            let path = (directory as NSString).appendingPathComponent(name)
            try MetricsFile.write(text, to: path)
            written.append(path)
        }
        return written
    }

    /// One argument of a command line in a unit file: `%` and `$` escaped so systemd neither
    /// expands specifiers nor variables; quoted when it holds spaces, quotes or backslashes.
    static func escape(_ argument: String) -> String {
        let plain = argument.replacingOccurrences(of: "%", with: "%%").replacingOccurrences(of: "$", with: "$$")
        guard plain.isEmpty || plain.contains(where: { " \t\"'\\;".contains($0) }) else { return plain }
        let escaped = plain.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }

    /// A path in a path list: quoted like an argument, but `$` is literal there.
    static func escapePath(_ path: String) -> String {
        escape(path).replacingOccurrences(of: "$$", with: "$")
    }

    static func commandLine(_ argv: [String]) -> String {
        argv.map(escape).joined(separator: " ")
    }
}
