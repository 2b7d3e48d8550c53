import Foundation
import Reconciler
import TestSupport
import Testing

/// Issue 18: `reconcile units` refuses settings the service cannot run with, or adjusts the
/// unit and says so.
@Suite struct UnitsValidationTests {
    static var binary: String { BuiltProduct.path("reconcile") }

    func units(_ arguments: [String]) throws -> ChildProcess.Result {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build reconcile first")
        return try ChildProcess.run([Self.binary, "units"] + arguments, currentDirectory: PackageRoot.url.path)
    }

    static let absent = "/etc/reconcile-absent-\(getpid())/desired-state"

    @Test func aBareNumberIntervalIsRefused() throws {
        let result = try units(["--desired", Self.absent, "--interval", "5"])
        #expect(result.status == 1)
        #expect(
            result.stderr == """
                note: --desired \(Self.absent) does not exist here; the units assume it will on the host
                error: --interval 5: systemd reads a bare number as seconds, so the timer would run every 5 seconds; write 5min for minutes (or 5s if seconds are meant)

                """)
        #expect(result.stdout == "")
    }

    @Test func aMetricsFileTheCollectorIgnoresIsRefused() throws {
        let result = try units(["--desired", Self.absent, "--metrics-file", "/var/lib/node-exporter/reconcile.txt"])
        #expect(result.status == 1)
        #expect(
            result.stderr.hasSuffix(
                "error: --metrics-file /var/lib/node-exporter/reconcile.txt: node_exporter's textfile collector reads only files whose name ends in .prom\n"
            ))
    }

    @Test func pathsUnderTmpAreRefusedSinceThePrivateTmpHidesThem() throws {
        let dir = try TemporaryDirectory()
        for name in ["reconcile.yaml", "vhosts.yaml"] {
            try dir.write(
                "desired/" + name,
                try String(contentsOfFile: PackageRoot.url.path + "/desired-state/" + name, encoding: .utf8))
        }
        let result = try units(["--desired", dir.path + "/desired", "--state-dir", "/var/tmp/reconcile"])
        #expect(result.status == 1)
        #expect(
            result.stderr == """
                error: --desired \(dir.path)/desired: the service runs with PrivateTmp=yes, so it sees its own empty /tmp and /var/tmp; keep this outside them
                error: --state-dir /var/tmp/reconcile: the service runs with PrivateTmp=yes, so it sees its own empty /tmp and /var/tmp; keep this outside them
                error: nginx config directory \(dir.path)/example/nginx: the service runs with PrivateTmp=yes, so it sees its own empty /tmp and /var/tmp; keep this outside them
                error: zone file directory \(dir.path)/example/zones: the service runs with PrivateTmp=yes, so it sees its own empty /tmp and /var/tmp; keep this outside them

                """)
    }

    @Test func anInvalidDesiredStateIsAnError() throws {
        let dir = try TemporaryDirectory()
        try dir.write("desired/a.yaml", "host: {ipv4: [not-an-address]}\n")
        let result = try units(["--desired", dir.path + "/desired"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(dir.path)/desired/a.yaml:1:15: "))
        #expect(
            result.stderr.hasSuffix(
                " in \(dir.path)/desired: the units take nginx's and the zone's directories from the desired state; fix it first\n"
            ))
        #expect(result.stdout == "")
    }

    @Test func gitPullNeedsACheckout() throws {
        let units = SystemdUnits(
            mode: .plan, executable: "/usr/bin/reconcile", desiredDir: "/srv/desired", gitPull: true)
        #expect(
            units.problems(isGitCheckout: { _ in false }) == [
                "--git-pull: /srv/desired is not a git checkout, so `git pull --ff-only` would fail every run; clone the desired state there, or leave out --git-pull"
            ])
        #expect(units.problems(isGitCheckout: { $0 == "/srv/desired" }) == [])
        let cli = try self.units(["--desired", Self.absent, "--git-pull"])
        #expect(cli.status == 1)
        #expect(
            cli.stderr.hasSuffix(
                "error: --git-pull: \(Self.absent) is not a git checkout, so `git pull --ff-only` would fail every run; clone the desired state there, or leave out --git-pull\n"
            ))
    }

    /// A desired state under /home: ProtectHome=yes would hide it, so the unit says read-only,
    /// explains why, and still passes `systemd-analyze verify`.
    @Test func aDesiredStateUnderHomeGetsProtectHomeReadOnly() throws {
        let analyze = try ServerBinary.require("systemd-analyze")
        let directory = try TemporaryDirectory()
        var units = try SystemdUnitsTests.units(.plan, in: directory, gitPull: false)
        units.desiredDir = "/home/operator/desired-state"
        units.metricsFile = "/var/lib/prometheus/node-exporter/reconcile.prom"
        units.zoneDirs = []
        #expect(units.problems(isGitCheckout: { _ in true }) == [])
        #expect(units.service.contains("\nProtectHome=read-only\n"))
        #expect(
            units.adjustments == [
                "--desired /home/operator/desired-state is under /home, /root or /run/user: the service gets ProtectHome=read-only instead of ProtectHome=yes, which would hide it"
            ])
        let (service, timer) = try SystemdUnitsTests.writeUnits(units, to: directory)
        let result = try ChildProcess.run([analyze, "verify", service, timer])
        #expect(result.succeeded, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "systemd-analyze verify complained: \(result.stderr)")
        // Elsewhere the stricter setting stays.
        units.desiredDir = "/etc/reconcile/desired-state"
        #expect(units.service.contains("\nProtectHome=yes\n"))
        #expect(units.adjustments == [])
    }
}
