import Foundation
import TestSupport
import Testing

@testable import DNS

/// The provider against a real `named` serving the zone file: the edit, the atomic write and
/// `rndc reload` together make the server answer with the new record and serial.
@Suite(.serialized) struct ZoneFileNamedReloadTests {
    /// A `named` on loopback high ports in a temp dir, serving example.social from a file,
    /// with an rndc control channel.
    struct RunningNamed {
        let directory: TemporaryDirectory
        let zonePath: String
        let port: UInt16
        let rndc: [String]
        let process: Process

        init() throws {
            directory = try TemporaryDirectory(prefix: "reconcile-zonefile-named")
            let named = try ServerBinary.require("named")
            let keygen = try ServerBinary.require("tsig-keygen")
            port = LoopbackPort.free()
            var control = LoopbackPort.free()
            while control == port { control = LoopbackPort.free() }
            let key = try ChildProcess.check([keygen, "-a", "hmac-sha256", "rndc-key"]).stdout
            let keyFile = try directory.write("rndc.key", key).path
            zonePath = try directory.write(
                "example.social.zone", Data(try ZoneFileFixtures.bytes("example.social.zone"))
            ).path
            let dir = directory.path
            let config = """
                include "\(keyFile)";
                options {
                    directory "\(dir)"; pid-file "\(dir)/named.pid";
                    listen-on port \(port) { 127.0.0.1; }; listen-on-v6 { none; };
                    recursion no; dnssec-validation no;
                };
                controls { inet 127.0.0.1 port \(control) allow { 127.0.0.1; } keys { "rndc-key"; }; };
                zone "example.social" { type primary; file "\(zonePath)"; };
                """
            let configPath = try directory.write("named.conf", config).path
            rndc = [try ServerBinary.require("rndc"), "-k", keyFile, "-s", "127.0.0.1", "-p", String(control)]

            process = Process()
            process.executableURL = URL(fileURLWithPath: named)
            process.arguments = ["-g", "-c", configPath]
            let log = try directory.write("named.log", "")
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        func stop() {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }

        /// `dig +short` for `name`/`type`, polled until `accept` holds or 10 s pass.
        func query(_ name: String, _ type: String, until accept: (String) -> Bool) throws -> String {
            let dig = try ServerBinary.require("dig")
            var answer = ""
            let deadline = Date().addingTimeInterval(10)
            repeat {
                answer = try ChildProcess.run(
                    [dig, "@127.0.0.1", "-p", String(port), "+short", "+time=1", "+tries=1", name, type]
                ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                // dig prints transport errors (";; communications error ...") on stdout too.
                if !answer.contains(";;"), accept(answer) { return answer }
                usleep(100_000)
            } while Date() < deadline
            return answer
        }

        var log: String {
            (try? String(contentsOfFile: directory.path + "/named.log", encoding: .utf8)) ?? ""
        }
    }

    @Test
    func appliedChangeIsServedAfterTheReload() throws {
        let named = try RunningNamed()
        defer { named.stop() }
        let before = try named.query("media.example.social", "AAAA") { !$0.isEmpty }
        #expect(before == "2001:db8::10", "named did not serve the zone: \(named.log)")

        let origin = try DNSName("example.social.")
        let provider = ZoneFileProvider(
            path: named.zonePath, origin: origin, reloadCommand: named.rndc + ["reload", "example.social"],
            reloadTimeout: 10)
        let written = try provider.apply(
            adding: [try ResourceRecord(presentation: "media.example.social. 300 IN AAAA 2001:db8::11")],
            deleting: [try ResourceRecord(presentation: "media.example.social. 300 IN AAAA 2001:db8::10")])

        let after = try named.query("media.example.social", "AAAA") { $0 == "2001:db8::11" }
        #expect(after == "2001:db8::11", "\(named.log)")
        let soa = try named.query("example.social", "SOA") { $0.contains(" \(written.soa.serial) ") }
        #expect(soa.contains(" \(written.soa.serial) "))
        #expect(written.soa.serial > 2_024_052_803)
    }

    @Test
    func aFailedReloadIsReportedWithRndcsWords() throws {
        let named = try RunningNamed()
        defer { named.stop() }
        _ = try named.query("example.social", "SOA") { !$0.isEmpty }
        let provider = ZoneFileProvider(
            path: named.zonePath, origin: try DNSName("example.social."),
            reloadCommand: named.rndc + ["reload", "not-served.example"], reloadTimeout: 10)
        let error = try #require(throws: ZoneFileError.self) { try provider.reload() }
        guard case .reloadFailed(_, let status, let output) = error.reason else {
            Issue.record("expected a failed reload, got \(error)")
            return
        }
        #expect(status != 0)
        #expect(output.contains("not found"), "\(output)")
    }
}
