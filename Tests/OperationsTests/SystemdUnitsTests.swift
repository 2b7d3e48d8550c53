import Foundation
import Probe
import Reconciler
import TestSupport
import Testing

@Suite struct SystemdUnitsTests {
    /// Units for a throwaway installation whose binary is a real executable file, so that
    /// `systemd-analyze verify` can check ExecStart. Paths with a space and a `%` check quoting.
    static func units(_ mode: SystemdUnits.Mode, in directory: TemporaryDirectory, gitPull: Bool) throws -> SystemdUnits
    {
        let binary = try directory.write("bin/reconcile", "#!/bin/sh\nexit 0\n").path
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary)
        let git = ServerBinary.find("git") ?? "/usr/bin/git"
        return SystemdUnits(
            mode: mode, executable: binary, desiredDir: directory.path + "/desired state 100%",
            stateDir: "/var/lib/reconcile", interval: "5min",
            metricsFile: directory.path + "/metrics/reconcile.prom", gitPull: gitPull,
            nginxConfigDirs: ["/etc/nginx"], zoneDirs: [directory.path + "/zones"], gitExecutable: git)
    }

    static func writeUnits(_ units: SystemdUnits, to directory: TemporaryDirectory) throws -> (String, String) {
        let service = try directory.write("units/reconcile.service", units.service).path
        let timer = try directory.write("units/reconcile.timer", units.timer).path
        return (service, timer)
    }

    @Test(
        arguments: [(SystemdUnits.Mode.plan, false), (.plan, true), (.apply, false), (.apply, true)])
    func systemdAnalyzeVerifyAcceptsTheUnits(mode: SystemdUnits.Mode, gitPull: Bool) throws {
        let analyze = try ServerBinary.require("systemd-analyze")
        let directory = try TemporaryDirectory()
        let units = try Self.units(mode, in: directory, gitPull: gitPull)
        try units.validate()
        let (service, timer) = try Self.writeUnits(units, to: directory)
        let result = try ChildProcess.run([analyze, "verify", service, timer])
        #expect(result.succeeded, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "systemd-analyze verify complained: \(result.stderr)")
    }

    static func exposure(_ units: SystemdUnits) throws -> Double {
        let analyze = try ServerBinary.require("systemd-analyze")
        let directory = try TemporaryDirectory()
        let (service, _) = try writeUnits(units, to: directory)
        // systemd 252 reads a unit file given by path with --offline=yes.
        let result = try ChildProcess.run([analyze, "security", "--offline=yes", "--no-pager", service])
        let line = result.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") } ?? ""
        guard let score = line.split(separator: ":").last?.split(separator: " ").first.flatMap({ Double($0) }) else {
            throw ExposureNotFound(output: result.stdout + result.stderr)
        }
        return score
    }

    @Test(arguments: [false, true])
    func securityExposureIsOKAndLowerInPlanMode(gitPull: Bool) throws {
        let directory = try TemporaryDirectory()
        let apply = try Self.exposure(Self.units(.apply, in: directory, gitPull: gitPull))
        let plan = try Self.exposure(Self.units(.plan, in: directory, gitPull: gitPull))
        print("systemd-analyze security exposure: apply \(apply), plan \(plan) (git pull: \(gitPull))")
        #expect(apply <= 3.0)
        #expect(plan < apply)
    }

    @Test func planModeCanWriteOnlyStateAndMetrics() throws {
        let directory = try TemporaryDirectory()
        let units = try Self.units(.plan, in: directory, gitPull: false)
        let service = units.service
        #expect(service.contains("\nCapabilityBoundingSet=\n"))
        #expect(service.contains("\nStateDirectory=reconcile\n"))
        #expect(service.contains("\nReadWritePaths=\(directory.path)/metrics\n"))
        #expect(
            service.contains(
                "ExecStart=\(directory.path)/bin/reconcile plan --desired \"\(directory.path)/desired state 100%%\""))
        #expect(service.contains("\nSuccessExitStatus=2\n"))
        #expect(!service.contains("ExecStartPre"))
    }

    @Test func applyModeCanWriteNginxZonesAndPullTheCheckout() throws {
        let directory = try TemporaryDirectory()
        let units = try Self.units(.apply, in: directory, gitPull: true)
        let service = units.service
        let writable = try #require(service.split(separator: "\n").first { $0.hasPrefix("ReadWritePaths=") })
        for path in ["/etc/nginx", "\(directory.path)/zones", "\(directory.path)/metrics", "-/var/log/nginx"] {
            #expect(writable.contains(path))
        }
        #expect(writable.contains("\"\(directory.path)/desired state 100%%\""))
        #expect(
            service.contains(
                "ExecStartPre=\(units.gitExecutable) -C \"\(directory.path)/desired state 100%%\" pull --ff-only"))
        #expect(service.contains(" apply --yes "))
        #expect(service.contains("\nProtectHome=read-only\n"))
        // Drift left to the operator (exit 2, e.g. DNS without a key) is not a failed unit.
        #expect(service.contains("\nSuccessExitStatus=2\n"))
    }

    @Test func timerRunsEveryIntervalWithJitter() throws {
        let directory = try TemporaryDirectory()
        var units = try Self.units(.plan, in: directory, gitPull: false)
        units.interval = "15min"
        let timer = units.timer
        #expect(timer.contains("\nOnUnitActiveSec=15min\n"))
        #expect(timer.contains("\nOnBootSec=1min\n"))
        #expect(timer.contains("\nRandomizedDelaySec=60s\n"))
        #expect(timer.contains("\nAccuracySec=1s\n"))
        #expect(timer.contains("\nWantedBy=timers.target\n"))
        units.interval = "90s"
        #expect(units.timer.contains("\nRandomizedDelaySec=9s\n"))
    }

    @Test func intervalsAreSystemdTimeSpans() throws {
        #expect(try SystemdTimeSpan("5min").seconds == 300)
        #expect(try SystemdTimeSpan("1h 30min").seconds == 5400)
        #expect(try SystemdTimeSpan("1h30m").seconds == 5400)
        #expect(try SystemdTimeSpan("90").seconds == 90)
        #expect(try SystemdTimeSpan("500ms").seconds == 0.5)
        for bad in ["", "5 parsecs", "-5min", "0", "min"] {
            #expect {
                try SystemdTimeSpan(bad)
            } throws: { error in
                guard case ReconcileError.invalidInterval(let text) = error else { return false }
                return text == bad
            }
        }
    }

    @Test func relativePathsAreRefused() throws {
        let units = SystemdUnits(mode: .plan, executable: "/usr/bin/reconcile", desiredDir: "desired-state")
        #expect {
            try units.validate()
        } throws: { error in
            guard case ReconcileError.relativePath(let option, let path) = error else { return false }
            return option == "--desired" && path == "desired-state"
                && "\(error)" == "--desired desired-state: a systemd unit needs an absolute path"
        }
    }

    @Test func installWritesBothUnitsUnderTheRoot() throws {
        let root = try TemporaryDirectory()
        let units = SystemdUnits.packaged
        let written = try units.install(root: root.path)
        #expect(written == ["service", "timer"].map { "\(root.path)/etc/systemd/system/reconcile.\($0)" })
        #expect(try String(contentsOfFile: written[0], encoding: .utf8) == units.service)
        #expect(try String(contentsOfFile: written[1], encoding: .utf8) == units.timer)
    }

    /// deploy/systemd/ is what packagers ship: it must be exactly what the code prints.
    @Test func committedDeployUnitsMatchTheGeneratedOnes() throws {
        let deploy = PackageRoot.url.appendingPathComponent("deploy/systemd")
        let service = try String(contentsOf: deploy.appendingPathComponent("reconcile.service"), encoding: .utf8)
        let timer = try String(contentsOf: deploy.appendingPathComponent("reconcile.timer"), encoding: .utf8)
        #expect(service == SystemdUnits.packaged.service, "regenerate deploy/systemd (see docs/systemd.md)")
        #expect(timer == SystemdUnits.packaged.timer, "regenerate deploy/systemd (see docs/systemd.md)")
    }

    /// The same through the command line: `reconcile units` with the packaged defaults.
    @Test func unitsCommandPrintsThePackagedUnits() throws {
        let binary = BuiltProduct.path("reconcile")
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build reconcile first: \(binary)")
        let packaged = SystemdUnits.packaged
        let result = try ChildProcess.run([
            binary, "units", "--executable", packaged.executable, "--desired", packaged.desiredDir,
            "--metrics-file", packaged.metricsFile ?? "",
        ])
        #expect(result.succeeded, "\(result.stderr)")
        #expect(result.stdout == "# reconcile.service\n\(packaged.service)\n# reconcile.timer\n\(packaged.timer)")

        let root = try TemporaryDirectory()
        let install = try ChildProcess.run([
            binary, "units", "--mode", "apply", "--interval", "10min", "--install", "--root", root.path,
        ])
        #expect(install.succeeded, "\(install.stderr)")
        #expect(install.stdout.contains("systemctl enable --now reconcile.timer"))
        let service = try String(contentsOfFile: root.path + "/etc/systemd/system/reconcile.service", encoding: .utf8)
        #expect(service.contains("ExecStart=\(binary) apply --yes"))
        let timer = try String(contentsOfFile: root.path + "/etc/systemd/system/reconcile.timer", encoding: .utf8)
        #expect(timer.contains("OnUnitActiveSec=10min"))

        let bad = try ChildProcess.run([binary, "units", "--interval", "soon"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("invalid interval \"soon\""))
    }
}

struct ExposureNotFound: Error, CustomStringConvertible {
    let output: String
    var description: String { "no exposure level in: \(output)" }
}
