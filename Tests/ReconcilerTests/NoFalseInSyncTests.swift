import DNS
import Foundation
import Nginx
import Reconciler
import TestSupport
import Testing

/// Issue 18: a plan never says "In sync" when it could not see. A stopped nginx is the
/// biggest drift there is; a check that could not run is said; apply does what it can
/// without DNS write access.
@Suite(.serialized)
struct NoFalseInSyncTests {
    /// The §1 host already fixed: media on both families, published on both.
    static func inSyncLab() throws -> OutageLab {
        let media = OutageSites.media.replacingOccurrences(
            of: "    listen 127.0.0.1:PORT ssl;\n", with: "    listen 127.0.0.1:PORT ssl;\n    listen [::1]:PORT ssl;\n"
        )
        return try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": media], records: OutageSites.records,
            vhosts: OutageSites.dualStack)
    }

    static let stoppedMessage =
        "nginx is not running this configuration (its pid file nginx/nginx.pid does not exist): a stopped nginx serves none of the vhosts"

    @Test func stoppedNginxIsCriticalAndApplyRefusesBeforeTouchingAnything() async throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        let running = try lab.reconcile(["plan", "--format", "json"])
        #expect(running.status == 2)
        #expect(!running.stdout.contains("nginx-not-running"))

        lab.nginx.stop()
        #expect(!FileManager.default.fileExists(atPath: lab.dir.path + "/nginx/nginx.pid"))
        let plan = try lab.reconcile(["plan"])
        #expect(plan.status == 2, "\(plan.stderr)")
        #expect(
            plan.stdout.contains("nginx/nginx.conf\n  critical RC014 nginx-not-running\n      \(Self.stoppedMessage)\n")
        )
        #expect(
            plan.stdout.hasSuffix(
                "Findings: 1 critical, 2 errors.\nnginx is not running this configuration, so `reconcile apply` would refuse: start nginx, then run `reconcile plan` again.\n"
            ))

        // The same for an unprivileged user: a missing pid file is no check it could not make.
        try lab.shareWithUnprivilegedUser()
        let unprivileged = try lab.reconcileAsNobody(["plan"])
        #expect(unprivileged.status == 2, "\(unprivileged.stderr)")
        #expect(unprivileged.stdout.contains("critical RC014 nginx-not-running\n      \(Self.stoppedMessage)\n"))
        #expect(!unprivileged.stdout.contains("not checked"))

        let json = try lab.reconcile(["plan", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        let stopped = try #require(findings.first { $0["slug"] as? String == "nginx-not-running" })
        #expect(stopped["code"] as? String == "RC014")
        #expect(stopped["severity"] as? String == "critical")
        #expect(stopped["vhost"] as? String == "nginx/nginx.conf")

        let before = try lab.siteFiles()
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 3, "\(apply.stdout)\n\(apply.stderr)")
        #expect(
            apply.stderr
                == "error: apply refused: nginx is not running nginx/nginx.conf (its pid file nginx/nginx.pid does not exist); nothing was changed. Start nginx, then run `reconcile apply` again\n"
        )
        #expect(try lab.siteFiles() == before)
        #expect(!FileManager.default.fileExists(atPath: lab.dir.path + "/state/backups"))
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
    }

    @Test func staleOrForeignPidFileIsNotARunningNginx() throws {
        let lab = try Self.inSyncLab()
        defer { lab.stop() }
        #expect(try lab.reconcile(["plan"]).status == 0)
        lab.nginx.stop()
        let pidFile = lab.dir.path + "/nginx/nginx.pid"
        // A pid no process has (pid_max is at most 2^22).
        try "4194399\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        let stale = try lab.reconcile(["plan"])
        #expect(stale.status == 2)
        #expect(
            stale.stdout.contains(
                "nginx is not running this configuration (its pid file nginx/nginx.pid names process 4194399, which is not running (a stale pid file)): a stopped nginx serves none of the vhosts"
            ))
        // This test process is alive, and not an nginx master.
        try "\(getpid())\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        let foreign = try lab.reconcile(["plan"])
        #expect(foreign.status == 2)
        #expect(
            foreign.stdout.contains(
                "nginx is not running this configuration (its pid file nginx/nginx.pid names process \(getpid()), which is not an nginx master process): a stopped nginx serves none of the vhosts"
            ))
        try "".write(toFile: pidFile, atomically: true, encoding: .utf8)
        let empty = try lab.reconcile(["plan"])
        #expect(empty.status == 2)
        #expect(empty.stdout.contains("(its pid file nginx/nginx.pid is empty)"))
    }

    @Test func inSyncSaysSoWithoutAFullStopBeforeLowercase() throws {
        let lab = try Self.inSyncLab()
        defer { lab.stop() }
        let plan = try lab.reconcile(["plan"])
        #expect(plan.status == 0, "\(plan.stdout)")
        #expect(plan.stdout.hasSuffix("\nIn sync: no findings; nothing to change.\n"))
    }

    /// As a user who cannot read nginx's pid file, the checks that need it are reported,
    /// in text, JSON and metrics, and the verdict says how many did not run.
    @Test func checksThatCouldNotRunAreReportedAsNonRoot() throws {
        let lab = try Self.inSyncLab()
        defer { lab.stop() }
        try lab.shareWithUnprivilegedUser()
        chmod(lab.dir.path + "/nginx/nginx.pid", 0o600)
        let text = try lab.reconcileAsNobody(["plan"])
        #expect(text.status == 0, "\(text.stdout)\n\(text.stderr)")
        #expect(
            text.stdout.hasSuffix(
                """

                warning: cannot read nginx's pid file nginx/nginx.pid as user nobody: nginx-not-running and config-not-loaded not checked

                In sync (2 checks not run): no findings; nothing to change.

                """))

        let json = try lab.reconcileAsNobody(["plan", "--format", "json"])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let notRun = try #require(object["checks_not_run"] as? [[String: String]])
        #expect(
            notRun == [
                [
                    "check": "nginx-not-running",
                    "reason": "cannot read nginx's pid file nginx/nginx.pid as user nobody",
                ],
                [
                    "check": "config-not-loaded",
                    "reason": "cannot read nginx's pid file nginx/nginx.pid as user nobody",
                ],
            ])

        let metrics = try lab.reconcileAsNobody(["plan", "--metrics-file", lab.dir.path + "/metrics/plan.prom"])
        #expect(metrics.status == 0, "\(metrics.stderr)")
        let prom = try String(contentsOfFile: lab.dir.path + "/metrics/plan.prom", encoding: .utf8)
        #expect(prom.contains("reconcile_check_not_run{mode=\"plan\",check=\"config-not-loaded\"} 1\n"))
        #expect(prom.contains("reconcile_check_not_run{mode=\"plan\",check=\"nginx-not-running\"} 1\n"))
        #expect(prom.contains("reconcile_in_sync{mode=\"plan\"} 1\n"))

        // The same user sees a config-not-loaded once it can read the pid file: the check ran.
        chmod(lab.dir.path + "/nginx/nginx.pid", 0o644)
        let readable = try lab.reconcileAsNobody(["plan"])
        #expect(readable.status == 0)
        #expect(readable.stdout.hasSuffix("\nIn sync: no findings; nothing to change.\n"))
        let later = Date().addingTimeInterval(5)
        try FileManager.default.setAttributes(
            [.modificationDate: later], ofItemAtPath: lab.dir.path + "/nginx/sites/media.conf")
        let unloaded = try lab.reconcileAsNobody(["plan"])
        #expect(unloaded.status == 2)
        #expect(unloaded.stdout.contains("error RC013 config-not-loaded"))
    }

    /// apply's state directory is root's (0700): a user who cannot read it cannot say that no
    /// interrupted apply left a reload owed.
    @Test func anUnreadableStateDirectoryIsACheckNotRun() throws {
        let lab = try Self.inSyncLab()
        defer { lab.stop() }
        try lab.shareWithUnprivilegedUser()
        try FileManager.default.createDirectory(atPath: lab.dir.path + "/state", withIntermediateDirectories: true)
        chmod(lab.dir.path + "/state", 0o700)
        let plan = try lab.reconcileAsNobody(["plan"])
        #expect(plan.status == 0, "\(plan.stdout)\n\(plan.stderr)")
        #expect(
            plan.stdout.hasSuffix(
                """

                warning: cannot read apply's state directory state as user nobody: pending-reload not checked

                In sync (1 check not run): no findings; nothing to change.

                """))
        let asRoot = try lab.reconcile(["plan"])
        #expect(asRoot.stdout.hasSuffix("\nIn sync: no findings; nothing to change.\n"))
    }

    /// With /proc mounted `hidepid=invisible` (as hardened hosts do), user nobody cannot see
    /// root's nginx at all: both nginx checks are said not to have run.
    @Test func hiddenProcessesAreChecksNotRun() throws {
        let lab = try Self.inSyncLab()
        defer { lab.stop() }
        try lab.shareWithUnprivilegedUser()
        let unshare = try ServerBinary.require("unshare")
        let setpriv = try ServerBinary.require("setpriv")
        let command =
            [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--", OutageLab.binary, "plan"]
            + ["--desired", "desired", "--state-dir", lab.dir.path + "/state", "--no-color"]
        let script = "mount -t proc -o hidepid=invisible proc /proc && exec \"$@\""
        let result = try ChildProcess.run(
            [unshare, "--mount", "--propagation", "private", "sh", "-c", script, "sh"] + command,
            currentDirectory: lab.dir.path, timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(
            result.stdout.hasSuffix(
                """

                warning: cannot read process \(lab.nginx.pid) (named by nginx/nginx.pid) in /proc as user nobody: nginx-not-running and config-not-loaded not checked

                In sync (2 checks not run): no findings; nothing to change.

                """))
    }

    /// The TSIG key is root's and one group's (mode 640): a member of the group plans without
    /// privileges and without a warning; anyone else is told which group to join.
    @Test func aGroupReadableKeyLetsItsGroupPlanAsNonRoot() throws {
        let lab = try Self.inSyncLab()
        defer { lab.stop() }
        try lab.shareWithUnprivilegedUser()
        let key = lab.dir.path + "/keys/tsig.key"
        let member = try lab.reconcileAsNobody(["plan"])
        #expect(member.status == 0, "\(member.stdout)\n\(member.stderr)")
        #expect(member.stderr == "")
        #expect(member.stdout.hasSuffix("\nIn sync: no findings; nothing to change.\n"))

        chown(key, 0, 0)
        let outsider = try lab.reconcileAsNobody(["plan"])
        #expect(outsider.status == 1)
        #expect(
            outsider.stderr
                == "error: \(key): cannot use the TSIG key: cannot read it as user nobody (mode 640, group root): run reconcile as a member of group root, or make the key readable by a group for the users who run plan (chgrp reconcile, chmod 640)\n"
        )
    }

    /// Without `dns.tsig`, apply serves (phase 1), leaves the DNS changes to the operator
    /// with the exact records, and exits 2.
    @Test func applyWithoutDNSWriteAccessServesAndListsTheRecords() async throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        try lab.dropTSIG()
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 2, "\(apply.stdout)\n\(apply.stderr)")
        #expect(apply.stderr == "")
        #expect(
            apply.stdout.hasSuffix(
                """
                nginx: [::1]:\(lab.port) answers
                Applied 1 change.
                Not applied: 1 DNS change, since dns.tsig is not set, so DNS is read-only; add a TSIG key to let apply change records. Make it by hand in the zone:
                  + media.example.social. 300 IN AAAA ::1

                """))
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
        let again = try lab.reconcile(["plan", "--format", "json"])
        #expect(again.status == 2)
        #expect(again.stdout.contains("\"kind\" : \"dns.add\""))
        #expect(!again.stdout.contains("nginx.add-listen"))
    }

    /// Only DNS work and no key: nothing for apply to do or to ask about; the records are
    /// listed, exit 2, even at a terminal without --yes.
    @Test func applyWithOnlyDNSWorkAndNoKeyAsksNothing() throws {
        let media = OutageSites.media.replacingOccurrences(
            of: "    listen 127.0.0.1:PORT ssl;\n", with: "    listen 127.0.0.1:PORT ssl;\n    listen [::1]:PORT ssl;\n"
        )
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": media],
            records: "@ IN A 127.0.0.1\n@ IN AAAA ::1\nmedia IN A 127.0.0.1\n", vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        try lab.dropTSIG()
        let apply = try lab.reconcileOnTerminal(["apply", "--no-color"])
        #expect(apply.status == 2, "\(apply.text)")
        #expect(!apply.text.contains("Only 'yes' is accepted"))
        #expect(
            apply.text.replacingOccurrences(of: "\r\n", with: "\n").hasSuffix(
                """
                Not applied: 1 DNS change, since dns.tsig is not set, so DNS is read-only; add a TSIG key to let apply change records. Make it by hand in the zone:
                  + media.example.social. 300 IN AAAA ::1

                """), "\(apply.text)")
    }

    /// A withdrawal apply cannot make keeps the unserve back: DNS would still send IPv6
    /// clients to a socket nginx no longer opens.
    @Test func applyWithoutDNSWriteAccessNeverUnservesBeforeTheWithdrawal() async throws {
        let lab = try Self.inSyncLab()
        defer { lab.stop() }
        try lab.writeDesired(
            vhosts: """
                  example.social: {families: [ipv4, ipv6], ports: [PORT]}
                  media.example.social: {families: [ipv4], ports: [PORT]}

                """)
        try lab.dropTSIG()
        let before = try lab.siteFiles()
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 2, "\(apply.stdout)\n\(apply.stderr)")
        #expect(
            apply.stdout.hasSuffix(
                """
                Not applied: 1 DNS change, since dns.tsig is not set, so DNS is read-only; add a TSIG key to let apply change records. Make it by hand in the zone:
                  - media.example.social. 300 IN AAAA ::1
                Not applied: 1 nginx removal, which waits until the records above are withdrawn; run `reconcile apply` again then.

                """))
        #expect(!apply.stdout.contains("Applied"))
        #expect(try lab.siteFiles() == before)
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        #expect(try await lab.published("media.example.social.", .aaaa) == ["::1"])
    }

    /// The confirmation counts in English: one change is "this change".
    @Test func confirmationSaysThisChangeForOne() throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media], records: OutageSites.records,
            vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        let one = try lab.reconcileOnTerminal(["apply", "--no-color"], input: "no\n")
        #expect(one.status == 3)
        #expect(one.text.contains("Apply this change? Only 'yes' is accepted: "), "\(one.text)")
        let labTwo = try OutageLab.ipv4OnlyMedia()
        defer { labTwo.stop() }
        let two = try labTwo.reconcileOnTerminal(["apply", "--no-color"], input: "no\n")
        #expect(two.status == 3)
        #expect(two.text.contains("Apply these 2 changes? Only 'yes' is accepted: "), "\(two.text)")
    }

    /// The YAML's TSIG name and algorithm must be the key file's.
    @Test func tsigNameAndAlgorithmMustAgreeWithTheKeyFile() throws {
        let lab = try Self.inSyncLab()
        defer { lab.stop() }
        let yaml = lab.dir.path + "/desired/reconcile.yaml"
        let original = try String(contentsOfFile: yaml, encoding: .utf8)
        let lines = original.split(separator: "\n", omittingEmptySubsequences: false)
        let index = try #require(lines.firstIndex { $0.contains("tsig:") })
        let line = index + 1
        func column(of text: String) throws -> Int {
            let range = try #require(lines[index].range(of: text))
            return lines[index].distance(from: lines[index].startIndex, to: range.lowerBound) + 1
        }
        let nameColumn = try column(of: "reconcile-hmac-sha256")
        let algorithmColumn = try column(of: "algorithm: hmac-sha256") + "algorithm: ".count
        try original.replacingOccurrences(of: "name: reconcile-hmac-sha256", with: "name: other")
            .write(toFile: yaml, atomically: true, encoding: .utf8)
        let name = try lab.reconcile(["plan"])
        #expect(name.status == 1)
        #expect(
            name.stderr
                == "error: desired/reconcile.yaml:\(line):\(nameColumn): dns.tsig.name is \"other\", but the key file \(lab.dir.path)/keys/tsig.key names key \"reconcile-hmac-sha256\"; make them agree\n"
        )
        try original.replacingOccurrences(of: "algorithm: hmac-sha256", with: "algorithm: hmac-sha512")
            .write(toFile: yaml, atomically: true, encoding: .utf8)
        let algorithm = try lab.reconcile(["plan"])
        #expect(algorithm.status == 1)
        #expect(
            algorithm.stderr
                == "error: desired/reconcile.yaml:\(line):\(algorithmColumn): dns.tsig.algorithm is hmac-sha512, but the key file \(lab.dir.path)/keys/tsig.key says algorithm hmac-sha256; make them agree\n"
        )
    }
}

extension OutageLab {
    /// Lets user nobody read the lab (and write its metrics directory); the TSIG key stays
    /// unreadable to others and is given to nobody's group, as the plan timer's group reads it.
    func shareWithUnprivilegedUser() throws {
        chmod(dir.path, 0o755)
        try FileManager.default.createDirectory(atPath: dir.path + "/metrics", withIntermediateDirectories: true)
        chown(dir.path + "/metrics", 65534, 65534)
        chown(dir.path + "/keys/tsig.key", 0, 65534)
        chmod(dir.path + "/keys/tsig.key", 0o640)
    }

    /// `reconcile ARGS` as user nobody (group nogroup, no other groups), through setpriv.
    func reconcileAsNobody(_ arguments: [String]) throws -> ChildProcess.Result {
        let setpriv = try ServerBinary.require("setpriv")
        return try ChildProcess.run(
            [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--", Self.binary] + arguments + [
                "--desired", "desired", "--state-dir", dir.path + "/state", "--no-color",
            ], currentDirectory: dir.path, timeout: 60)
    }

    /// Rewrites the desired state without `dns.tsig`: DNS read-only.
    func dropTSIG() throws {
        let path = dir.path + "/desired/reconcile.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("tsig:") }
            .joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// The pid path comes from nginx's files and would go into messages: never echoed raw.
@Suite struct NginxPidPathTests {
    @Test func aPidPathWithAControlCharacterIsNotEchoed() throws {
        let tree = try NginxConfigTree.load(
            mainConfig: "/etc/nginx/nginx.conf",
            reader: InMemoryNginxFileReader(textFiles: [
                "/etc/nginx/nginx.conf": "pid \"/run/n\u{1B}[31m.pid\";\nevents {}\nhttp {}\n"
            ]))
        let inspection = NginxRuntime.inspect(tree)
        #expect(
            inspection.master
                == .notRunning("the pid directive of its configuration names a path with a control character"))
        #expect(inspection.checksNotRun == [])
    }
}
