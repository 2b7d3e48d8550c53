import Foundation
import Probe
import Reconciler
import TestSupport
import Testing

/// No systemd runs as PID 1 here, so `systemd-run` cannot start the service; this runs what
/// apply does to nginx (`nginx -t`, `nginx -s reload`) under the same capability bounding set
/// and no_new_privs, with `setpriv`, against a real nginx, and checks the reload took effect.
/// docs/systemd.md covers the settings this cannot exercise (mount and syscall restrictions).
@Suite struct ApplyUnderHardeningTests {
    @Test(.enabled(if: ServerBinary.testsEnabled("nginx", "setpriv")))
    func nginxTestAndReloadWorkWithApplyModeCapabilities() async throws {
        let setpriv = try ServerBinary.require("setpriv")
        let nginxBinary = try ServerBinary.require("nginx")
        let port = LoopbackPort.free()
        let nginx = try TLSNginx(
            servers: "        server { listen 127.0.0.1:\(port); server_name a.example.social; return 204; }\n")
        defer { nginx.stop() }

        let units = SystemdUnits(mode: .apply, executable: "/usr/bin/reconcile", desiredDir: "/etc/reconcile")
        let bounding = "-all," + units.capabilities.map { "+" + $0.dropFirst(4).lowercased() }.joined(separator: ",")
        let restricted = [setpriv, "--no-new-privs", "--inh-caps=-all", "--bounding-set", bounding]

        // What apply writes: the block now answers 200 instead of 204.
        let config = try String(contentsOfFile: nginx.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "return 204;", with: "return 200;")
            .write(toFile: nginx.configPath, atomically: true, encoding: .utf8)
        let prefix = ["-p", nginx.directory.path, "-c", nginx.configPath, "-e", nginx.directory.path + "/error.log"]

        let check = try ChildProcess.run(restricted + [nginxBinary, "-t", "-q"] + prefix)
        #expect(check.succeeded, "nginx -t under apply-mode capabilities: \(check.stderr)")
        let reload = try ChildProcess.run(restricted + [nginxBinary, "-s", "reload"] + prefix)
        #expect(reload.succeeded, "nginx -s reload under apply-mode capabilities: \(reload.stderr)")

        let target = ProbeTarget(vhost: "a.example.social", family: .ipv4, address: "127.0.0.1", port: port, tls: false)
        var status: Int?
        for _ in 0..<50 {
            if case .ok(let code, _) = await Prober(timeout: .seconds(2)).probe([target]).first?.outcome, code == 200 {
                status = code
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status == 200, "the reload sent under restrictions did not take effect")
    }
}
