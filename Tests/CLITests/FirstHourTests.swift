import Foundation
import TestSupport
import Testing

/// Issue 18: what a newcomer meets in the first hour, each with its exact message and exit code.
@Suite struct FirstHourTests {
    /// A desired-state directory in a fresh temporary directory, from `files` (name: text).
    static func desired(_ files: [String: String]) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        for (name, text) in files { try dir.write("desired/" + name, text) }
        return dir
    }

    static let dns = """
        dns:
          provider: zonefile
          zones: [example.social]
          zonefile: {path: zone}

        """

    func reconcile(_ arguments: [String], in dir: TemporaryDirectory) throws -> ChildProcess.Result {
        try ChildProcess.run([CLITests.binary] + arguments + ["--no-color"], currentDirectory: dir.path, timeout: 60)
    }

    @Test func unquotedIPv6GetsAHintAndNoMissingSectionErrors() throws {
        let dir = try Self.desired([
            "host.yaml": "host: {ipv4: [203.0.113.10], ipv6: [::1]}\n",
            "rest.yaml": "vhosts:\n  example.social: {}\n",
        ])
        let result = try reconcile(["validate", "--desired", "desired"], in: dir)
        #expect(result.status == 1)
        #expect(
            result.stderr == """
                desired/host.yaml:1:37: YAML syntax error: did not find expected node content (while parsing a flow node at line 1, column 37); quote IPv6 addresses: "::1"
                1 error in desired

                """)
    }

    @Test func aMissingSectionIsStillReportedWhenEveryFileParsed() throws {
        let dir = try Self.desired(["host.yaml": "host: {ipv4: [203.0.113.10]}\nvhosts:\n  example.social: {}\n"])
        let result = try reconcile(["validate", "--desired", "desired"], in: dir)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("desired: no file defines nginx (expected nginx: {config: /etc/nginx/nginx.conf})"))
    }

    @Test func aRelativeNginxConfigThatDoesNotExistIsAnErrorOfValidate() throws {
        let dir = try Self.desired([
            "r.yaml": "host: {ipv4: [203.0.113.10]}\nnginx:\n  config: ../nginx/nginx.conf\n" + Self.dns
                + "vhosts:\n  example.social: {families: [ipv4]}\n"
        ])
        try dir.write("desired/zone", "")
        let result = try reconcile(["validate", "--desired", "desired"], in: dir)
        #expect(result.status == 1)
        #expect(
            result.stderr == """
                desired/r.yaml:3:11: nginx.config names ../nginx/nginx.conf, which does not exist (resolved to \(dir.path)/nginx/nginx.conf)
                1 error in desired

                """)
    }

    @Test func anAbsoluteNginxConfigThatDoesNotExistWarnsInValidateAndPlanNamesTheKey() throws {
        let dir = try Self.desired([
            "r.yaml": "host: {ipv4: [203.0.113.10]}\nnginx:\n  config: /nonexistent/nginx.conf\n" + Self.dns
                + "vhosts:\n  example.social: {families: [ipv4]}\n"
        ])
        try dir.write("desired/zone", "$ORIGIN example.social.\n@ 300 IN SOA ns hostmaster 1 3600 900 1209600 300\n")
        let validate = try reconcile(["validate", "--desired", "desired"], in: dir)
        #expect(validate.status == 0)
        #expect(
            validate.stderr
                == "desired/r.yaml:3:11: warning: nginx.config names /nonexistent/nginx.conf, which does not exist on this machine (fine if only the host that runs reconcile has it)\n"
        )
        #expect(validate.stdout == "desired: valid: 1 vhost in 1 file\n")
        let plan = try reconcile(["plan", "--desired", "desired", "--no-interface-check"], in: dir)
        #expect(plan.status == 1)
        #expect(
            plan.stderr
                == "error: desired/r.yaml:3:11: nginx.config names /nonexistent/nginx.conf, which cannot be read: no such file; point it at nginx's main configuration (`nginx -V` shows the default, usually /etc/nginx/nginx.conf)\n"
        )
    }

    @Test func usageErrorsExit64AndPrintJSONUnderFormatJSON() throws {
        let dir = try TemporaryDirectory()
        let text = try reconcile(["plan", "--bogus"], in: dir)
        #expect(text.status == 64)
        #expect(text.stderr.hasPrefix("Error: Unknown option '--bogus'. Did you mean '--out'?\n"))
        let json = try reconcile(["plan", "--format", "json", "--bogus"], in: dir)
        #expect(json.status == 64)
        #expect(json.stderr == "")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["schema"] as? Int == 1)
        #expect(object["exitCode"] as? Int == 64)
        #expect(object["error"] as? String == "Unknown option '--bogus'. Did you mean '--out'?")
        let equals = try reconcile(["validate", "--format=json", "--state", "x"], in: dir)
        #expect(equals.status == 64)
        #expect(equals.stdout.contains("\"exitCode\" : 64"))
        // plan's probe flags say they need --probe, and are refused without it.
        let planHelp = try reconcile(["plan", "--help"], in: dir)
        #expect(
            planHelp.stdout.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(
                of: " +", with: " ", options: .regularExpression
            ).contains("--timeout, --concurrency and --ca-file set these probes and need --probe."))
        let withoutProbe = try reconcile(["plan", "--timeout", "3"], in: dir)
        #expect(withoutProbe.status == 64)
        #expect(
            withoutProbe.stderr.hasPrefix("Error: --timeout, --concurrency and --ca-file only apply with --probe\n"))
        // Every command's help lists 64 with the other exit codes.
        for command in ["init", "plan", "apply", "probe", "validate", "units"] {
            let help = try reconcile([command, "--help"], in: dir)
            #expect(
                help.stdout.replacingOccurrences(of: "\n", with: " ").contains("64 usage error"), "\(command) --help")
        }
    }

    @Test func aCAFileThatIsNotPEMIsAnErrorOfTheRun() throws {
        let dir = try TemporaryDirectory()
        let ca = try dir.write("ca.der", Data([0x30, 0x82, 0x01, 0x0A, 0x02, 0x82])).path
        let result = try ChildProcess.run(
            [CLITests.binary, "probe", "--no-color", "--ca-file", ca], currentDirectory: CLITests.root, timeout: 30)
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "error: the CA file \(ca) given with --ca-file holds no PEM certificate (-----BEGIN CERTIFICATE-----); convert a DER file with `openssl x509 -inform der -in \(ca) -out ca.pem`\n"
        )
        let missing = try ChildProcess.run(
            [CLITests.binary, "probe", "--no-color", "--ca-file", dir.path + "/none.pem"],
            currentDirectory: CLITests.root, timeout: 30)
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: cannot read the CA file \(dir.path)/none.pem given with --ca-file\n")
    }
}

/// The repository cites "DESIGN §N": DESIGN.md is in the repository and has each section cited.
@Suite struct DesignCitationTests {
    @Test func everyCitedSectionExists() throws {
        let root = CLITests.root
        let design = try String(contentsOfFile: root + "/DESIGN.md", encoding: .utf8)
        let sections = Set(
            design.split(separator: "\n").compactMap { line -> Int? in
                guard line.hasPrefix("## ") else { return nil }
                return Int(line.dropFirst(3).prefix { $0.isNumber })
            })
        #expect(sections.count >= 10)
        var cited: [String: Set<Int>] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasPrefix(".") || relative.contains("/.") { continue }
            guard [".swift", ".md", ".yaml", ".conf", ".zone"].contains(where: relative.hasSuffix),
                let text = try? String(contentsOfFile: root + "/" + relative, encoding: .utf8)
            else { continue }
            var rest = Substring(text)
            while let range = rest.range(of: "DESIGN §") {
                rest = rest[range.upperBound...]
                if let number = Int(rest.prefix { $0.isNumber }) { cited[relative, default: []].insert(number) }
            }
        }
        #expect(!cited.isEmpty)
        for (file, numbers) in cited {
            let missing = numbers.subtracting(sections)
            #expect(missing.isEmpty, "\(file) cites DESIGN §\(missing.sorted()) that DESIGN.md lacks")
        }
    }
}

/// The README's command table lists exactly the flags each command's `--help` shows, beyond the
/// ones the paragraph above it gives to several commands.
@Suite struct ReadmeCommandTableTests {
    static let shared: Set<String> = [
        "--desired", "--state-dir", "--format", "--no-color", "--verbose", "--help", "--version",
    ]

    static func flags(in text: some StringProtocol) -> Set<String> {
        var found: Set<String> = []
        var rest = Substring(text)
        while let range = rest.range(of: "--") {
            let name = rest[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" }
            if let first = name.first, first.isLetter { found.insert("--" + name) }
            rest = rest[range.upperBound...]
        }
        return found
    }

    @Test(arguments: ["init", "plan", "apply", "probe", "validate", "units"])
    func tableRowMatchesHelp(command: String) throws {
        let readme = try String(contentsOfFile: CLITests.root + "/README.md", encoding: .utf8)
        let row = try #require(readme.split(separator: "\n").first { $0.hasPrefix("| `reconcile \(command)") })
        // `\|` in a cell is a literal bar, not a column.
        let synopsis = try #require(row.replacingOccurrences(of: "\\|", with: "/").split(separator: "|").first)
        let help = try ChildProcess.run([CLITests.binary, command, "--help"], timeout: 30)
        #expect(help.status == 0)
        let options = help.stdout.split(separator: "\n").filter { $0.hasPrefix("  -") }.map {
            $0.split(separator: " ").first { $0.hasPrefix("--") } ?? ""
        }
        let helpFlags = Set(options.map(String.init)).subtracting(Self.shared)
        #expect(Self.flags(in: synopsis) == helpFlags, "README row for \(command)")
    }

    /// The paragraph above the table: which commands take the shared flags.
    @Test func sharedFlagsAreWhereTheReadmeSays() throws {
        let takes: [String: Set<String>] = [
            "plan": Self.shared, "apply": Self.shared, "probe": Self.shared,
            "validate": ["--desired", "--format", "--no-color", "--verbose", "--help", "--version"],
            "units": ["--desired", "--state-dir", "--help", "--version"],
            "init": ["--state-dir", "--no-color", "--help", "--version"],
        ]
        for (command, expected) in takes {
            let help = try ChildProcess.run([CLITests.binary, command, "--help"], timeout: 30)
            let lines = help.stdout.split(separator: "\n").filter { $0.hasPrefix("  -") }
            let flags = Set(lines.compactMap { $0.split(separator: " ").first { $0.hasPrefix("--") }.map(String.init) })
            #expect(flags.intersection(Self.shared) == expected, "\(command)")
        }
    }
}
