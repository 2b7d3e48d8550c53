import Foundation
import TestSupport
import Testing

/// The real `reconcile` binary on the bundled example: what a user sees first.
@Suite struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static var binary: String { BuiltProduct.path("reconcile") }

    func reconcile(_ arguments: [String]) throws -> ChildProcess.Result {
        try ChildProcess.run([Self.binary] + arguments + ["--no-color"], currentDirectory: Self.root, timeout: 60)
    }

    /// The plan text with the run-specific git commit replaced.
    func normalized(_ text: String) -> String {
        text.replacingOccurrences(
            of: #"git [0-9a-f]{12}( with uncommitted changes)?"#, with: "git <commit>", options: .regularExpression
        )
        .replacingOccurrences(of: "desired-state (2 vhosts)", with: "desired-state (2 vhosts, git <commit>)")
    }

    @Test func helpListsTheWorkingCommands() throws {
        let help = try ChildProcess.run([Self.binary, "--help"], timeout: 30)
        #expect(help.status == 0)
        for command in ["plan", "apply", "validate", "probe", "units"] {
            #expect(help.stdout.contains("\n  \(command) "), "missing \(command)")
        }
        #expect(
            help.stdout.replacingOccurrences(of: "\n", with: " ").contains(
                "Exit codes: 0 success, 1 error (bad input), 2 drift found, 3 refused, 64 usage error (an unknown flag or a bad value)."
            ))
    }

    @Test func bundledDesiredStateIsValid() throws {
        let result = try reconcile(["validate"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "desired-state: valid: 2 vhosts in 2 files\n")
    }

    /// Golden file: `RECONCILE_RECORD_GOLDEN=1 swift test --filter CLITests` re-records it.
    @Test func bundledExamplePlanShowsTheOutage() throws {
        let result = try reconcile(["plan", "--no-interface-check"])
        #expect(result.status == 2, "\(result.stderr)")
        let golden = Self.root + "/Tests/CLITests/Fixtures/example-plan.txt"
        let text = normalized(result.stdout)
        if ProcessInfo.processInfo.environment["RECONCILE_RECORD_GOLDEN"] != nil {
            try text.write(toFile: golden, atomically: true, encoding: .utf8)
            // Recording is not passing: the run that writes the golden file fails, so a
            // variable left set in CI cannot make the comparison vacuous.
            Issue.record("re-recorded \(golden); run again without RECONCILE_RECORD_GOLDEN to compare")
            return
        }
        #expect(text == (try String(contentsOfFile: golden, encoding: .utf8)))
    }

    /// `-v` shows what apply would run: the programs resolved at load time, by absolute path.
    @Test func verbosePlanShowsTheCommandsWithAbsolutePrograms() throws {
        let result = try reconcile(["plan", "-v", "--no-interface-check"])
        #expect(result.status == 2, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let config = Self.root + "/example/nginx/nginx.conf"
        let test = try #require(lines.first { $0.hasPrefix("test ") })
        let reload = try #require(lines.first { $0.hasPrefix("reload ") })
        let nginx = try ServerBinary.require("nginx")
        #expect(test.hasSuffix(" -t -q -c \(config)"), "\(test)")
        #expect(reload.hasSuffix(" -s reload -c \(config)"), "\(reload)")
        for line in [test, reload] {
            let program = line.split(separator: " ", omittingEmptySubsequences: true)[1]
            #expect(program.hasPrefix("/") && program.hasSuffix("/nginx"), "\(line)")
            #expect(
                URL(fileURLWithPath: String(program)).resolvingSymlinksInPath()
                    == URL(fileURLWithPath: nginx).resolvingSymlinksInPath())
        }
    }

    @Test func bundledExamplePlanAsJSON() throws {
        let result = try reconcile(["plan", "--format", "json", "--no-interface-check"])
        #expect(result.status == 2)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["schema"] as? Int == 1)
        let findings = try #require(json["findings"] as? [[String: Any]])
        // Nothing runs the example's nginx: that is a finding too (issue 18).
        #expect(findings.map { $0["slug"] as? String } == ["nginx-not-running", "advertised-not-served"])
        #expect(
            findings.first?["message"] as? String
                == "nginx is not running this configuration (its pid file example/nginx/nginx.pid does not exist): a stopped nginx serves none of the vhosts"
        )
        #expect(
            findings.last?["evidence"] as? [String] == [
                "example/nginx/sites-enabled/media.conf:3: listen 443 ssl;",
                "answered instead by: example/nginx/sites-enabled/example.social.conf:8: server { server_name example.social; }",
                "media.example.social. 300 IN AAAA 2001:db8::10",
            ])
        let actions = try #require(json["actions"] as? [[String: Any]])
        #expect(actions.count == 1)
        #expect(actions.first?["kind"] as? String == "nginx.add-listen")
        #expect(actions.first?["text"] as? String == "listen [::]:443 ssl;")
        #expect(actions.first?["line"] as? Int == 4)
        #expect((actions.first?["file"] as? String)?.hasSuffix("/example/nginx/sites-enabled/media.conf") == true)
    }

    @Test func planSavesAPlanFileThatApplyWouldRead() throws {
        let dir = try TemporaryDirectory()
        let result = try reconcile(["plan", "--no-interface-check", "--out", dir.path + "/plan.json"])
        #expect(result.status == 2)
        let saved = try #require(FileManager.default.contents(atPath: dir.path + "/plan.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: saved) as? [String: Any])
        #expect(json["schema"] as? Int == 1)
        #expect((json["preconditions"] as? [String: Any])?["nginx_files"] is [[String: Any]])
    }

    @Test func missingDesiredDirectoryIsAnError() throws {
        let result = try reconcile(["plan", "--desired", "no-such-dir"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: no-such-dir: no such directory\n")
    }

    @Test func unknownFormatIsAUsageError() throws {
        let result = try reconcile(["plan", "--format", "yaml"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("The value 'yaml' is invalid for '--format <format>'"))
    }
}

/// `reconcile probe` on the bundled example: its addresses are documentation ranges, which
/// are never a real host, so nothing is connected to.
@Suite struct ProbeOnTheExampleTests {
    @Test func documentationAddressesAreNeverProbed() throws {
        let result = try ChildProcess.run(
            [CLITests.binary, "probe", "--no-color", "--timeout", "1"], currentDirectory: CLITests.root, timeout: 30)
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix("Nothing to probe.\n"))
        #expect(
            result.stdout.contains(
                "note: media.example.social ipv6: not probing 2001:db8::10: documentation addresses (RFC 5737 / RFC 3849) are never a real host"
            ))
        #expect(!result.stdout.contains(" ok ") && !result.stdout.contains("timed out"))
    }
}

/// The README's first transcript is what `reconcile plan` prints on the bundled example (the
/// machine's own addresses aside, which differ per machine).
@Suite struct ReadmeExamplePlanTests {
    @Test func readmeTranscriptIsWhatPlanPrints() throws {
        let readme = try String(contentsOfFile: CLITests.root + "/README.md", encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "$ swift run reconcile plan"))
        let end = try #require(lines[start...].firstIndex(of: "$ echo $?"))
        let result = try ChildProcess.run(
            [CLITests.binary, "plan", "--no-color"], currentDirectory: CLITests.root, timeout: 60)
        #expect(result.status == 2)
        #expect(lines[end + 1] == "2")
        let printed = Set(
            result.stdout.split(separator: "\n").map {
                $0.replacingOccurrences(
                    of: #"git [0-9a-f]{12}( with uncommitted changes)?"#, with: "git <commit>",
                    options: .regularExpression)
            })
        for line in lines[(start + 1)..<end] where !line.isEmpty && !line.contains("addresses on this machine:") {
            let expected = line.replacingOccurrences(
                of: #"git [0-9a-f]{12}"#, with: "git <commit>", options: .regularExpression)
            #expect(printed.contains(expected), "the README quotes \"\(line)\"; plan did not print it")
        }
    }
}
