import Foundation
import Probe
import Reconciler
import TestSupport
import Testing

/// No systemd runs as PID 1 here, so `systemd-run` cannot start the service with its sandbox.
/// Instead this rebuilds the parts of it that could break apply, around a real nginx:
/// a private mount namespace where `/` is read-only except the service's `ReadWritePaths=`
/// (ProtectSystem=strict), and `setpriv` with no_new_privs and exactly the apply-mode
/// capability bounding set. Inside it, apply's steps (replace the config, `nginx -t`,
/// `nginx -s reload`) must work, and the reload must take effect. docs/systemd.md covers what
/// this does not rebuild (the syscall filter, the other namespaces).
@Suite struct ApplyUnderHardeningTests {
    /// argv running `command` in the sandbox: binds each writable path onto itself, makes `/`
    /// read-only (both need CAP_SYS_ADMIN, so before setpriv drops it), then execs setpriv.
    static func sandboxed(_ command: [String], writable: [String], capabilities: [String]) throws -> [String] {
        let unshare = try ServerBinary.require("unshare")
        let setpriv = try ServerBinary.require("setpriv")
        let script = """
            n=$1; shift
            while [ "$n" -gt 0 ]; do mount --bind "$1" "$1" || exit 97; shift; n=$((n - 1)); done
            mount -o remount,bind,ro / || exit 97
            exec "$@"
            """
        let bounding = "-all" + capabilities.map { ",+" + $0.dropFirst(4).lowercased() }.joined()
        return [unshare, "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sandbox"]
            + [String(writable.count)] + writable
            + [setpriv, "--no-new-privs", "--inh-caps=-all", "--bounding-set", bounding, "--"] + command
    }

    @Test
    func applyStepsWorkInsideTheApplyModeSandbox() async throws {
        let nginxBinary = try ServerBinary.require("nginx")
        let port = LoopbackPort.free()
        let nginxDirectory = try TemporaryDirectory(prefix: "reconcile-nginx")
        let nginx = try NginxServer(
            http: "        server { listen 127.0.0.1:\(port); server_name a.example.social; return 204; }\n",
            in: nginxDirectory)
        defer { nginx.stop() }
        let directory = nginxDirectory.path
        // The test's nginx keeps config, logs and temp files in one directory: that is its
        // "nginx config dir" and log dir, the paths apply mode lists in ReadWritePaths=.
        let units = SystemdUnits(
            mode: .apply, executable: "/usr/bin/reconcile", desiredDir: "/etc/reconcile",
            nginxConfigDirs: [directory])
        #expect(units.writablePaths.contains(directory))
        func run(_ command: [String]) throws -> ChildProcess.Result {
            try ChildProcess.run(
                Self.sandboxed(command, writable: [directory], capabilities: units.capabilities))
        }

        // The sandbox is real: the rest of the system is read-only inside it.
        let outside = try run(["/usr/bin/touch", "/etc/.reconcile-sandbox-probe"])
        #expect(!outside.succeeded && outside.stderr.contains("Read-only file system"), "\(outside.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/etc/.reconcile-sandbox-probe"))

        // What apply writes: the block now answers 200 instead of 204.
        let config = try String(contentsOfFile: nginx.configPath, encoding: .utf8)
        try nginxDirectory.write("nginx.conf.new", config.replacingOccurrences(of: "return 204;", with: "return 200;"))
        let replace = try run(["/bin/mv", directory + "/nginx.conf.new", nginx.configPath])
        #expect(replace.succeeded, "replacing the config inside the sandbox: \(replace.stderr)")

        let prefix = ["-p", directory, "-c", nginx.configPath, "-e", directory + "/error.log"]
        let check = try run([nginxBinary, "-t", "-q"] + prefix)
        #expect(check.succeeded, "nginx -t inside the apply-mode sandbox: \(check.stderr)")
        let reload = try run([nginxBinary, "-s", "reload"] + prefix)
        #expect(reload.succeeded, "nginx -s reload inside the apply-mode sandbox: \(reload.stderr)")

        let target = ProbeTarget(vhost: "a.example.social", family: .ipv4, address: "127.0.0.1", port: port, tls: false)
        var status: Int?
        for _ in 0..<50 {
            if case .ok(let code, _) = await Prober(timeout: .seconds(2)).probe([target]).first?.outcome, code == 200 {
                status = code
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status == 200, "the reload sent from the sandbox did not take effect")
    }
}
