import Foundation
import TestSupport
import Testing

/// The TSIG secret never leaves its file: not in output (text or JSON), saved plans, the
/// journal, backups, metrics or error messages, on success or failure (README, SECURITY.md).
@Suite(.serialized)
struct SecretLeakTests {
    /// The forms a leak could take: the base64 text, the raw bytes, and lowercase hex.
    struct SecretForms {
        let base64: String
        let raw: [UInt8]
        var hex: String { raw.map { String(format: "%02x", $0) }.joined() }

        init(keyFile: String) throws {
            let match = try #require(keyFile.range(of: #"secret "([^"]+)""#, options: .regularExpression))
            base64 = String(keyFile[match].dropFirst("secret \"".count).dropLast())
            raw = try #require(Data(base64Encoded: base64).map(Array.init))
        }

        /// Which form `bytes` contains, if any.
        func leak(in bytes: [UInt8]) -> String? {
            if contains(bytes, Array(base64.utf8)) { return "base64" }
            if contains(bytes, raw) { return "raw bytes" }
            if contains(bytes, Array(hex.utf8)) || contains(bytes, Array(hex.uppercased().utf8)) { return "hex" }
            return nil
        }

        func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
            guard !needle.isEmpty, haystack.count >= needle.count else { return false }
            for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
                if Array(haystack[start..<start + needle.count]) == needle { return true }
            }
            return false
        }
    }

    /// Every regular file under `root` except the key files themselves.
    func files(under root: String, skipping skipped: Set<String>) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                !skipped.contains(path)
            else { continue }
            out.append(path)
        }
        return out
    }

    @Test func secretAppearsInNoOutputFileOrError() async throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        let keyPath = lab.dir.path + "/keys/tsig.key"
        let keyText = try String(contentsOfFile: keyPath, encoding: .utf8)
        let secret = try SecretForms(keyFile: keyText)
        var outputs: [(String, ChildProcess.Result)] = []
        func run(_ label: String, _ arguments: [String]) throws -> ChildProcess.Result {
            let result = try lab.reconcile(arguments)
            outputs.append((label, result))
            return result
        }
        let metrics = lab.dir.path + "/out/metrics.prom"
        try FileManager.default.createDirectory(atPath: lab.dir.path + "/out", withIntermediateDirectories: true)

        // Success paths: plan (text, JSON, verbose, saved), apply of the saved plan, then in sync.
        #expect(try run("plan text", ["plan", "-v", "--metrics-file", metrics]).status == 2)
        #expect(try run("plan json", ["plan", "--format", "json"]).status == 2)
        #expect(try run("plan --out", ["plan", "--out", lab.dir.path + "/out/plan.json"]).status == 2)
        let applied = try run(
            "apply saved", ["apply", "--yes", "-v", "--metrics-file", metrics, lab.dir.path + "/out/plan.json"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try run("plan in sync", ["plan", "--format", "json"]).status == 0)
        #expect(try run("validate", ["validate", "-v"]).status == 0)
        #expect(try run("probe", ["probe", "--ca-file", try lab.certificateBundle(), "--format", "json"]).status == 0)
        // The lab lives under /tmp, which the service's PrivateTmp would hide: units refuses
        // (exit 1), naming the paths, and still never the secret.
        let units = try run("units", ["units", "--mode", "apply"])
        #expect(units.status == 1)
        #expect(units.stderr.contains("the service runs with PrivateTmp=yes"))

        // Failure paths: a reload that fails (restore), JSON errors, a stale plan. With media's
        // IPv6 listen taken out by hand (and nginx reloaded), the serve phase's reload fails.
        let media = lab.dir.path + "/nginx/sites/media.conf"
        let served = try String(contentsOfFile: media, encoding: .utf8)
        try served.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("listen [::1]") }
            .joined(separator: "\n").write(toFile: media, atomically: true, encoding: .utf8)
        try lab.nginx.reload()
        try lab.writeDesired(vhosts: OutageSites.dualStack, reload: ["/bin/sh", "-c", "exit 7"])
        #expect(try run("apply failing", ["apply", "--yes", "--metrics-file", metrics]).status == 1)
        #expect(try run("apply failing json", ["apply", "--yes", "--format", "json"]).status == 1)
        #expect(try run("stale plan", ["apply", "--yes", lab.dir.path + "/out/plan.json"]).status != 0)
        try served.write(toFile: media, atomically: true, encoding: .utf8)
        try lab.nginx.reload()
        try lab.writeDesired(vhosts: OutageSites.dualStack)

        // A wrong key: same name, another secret; the server refuses the signature.
        let otherSecret = Data((0..<32).map { UInt8(($0 * 7 + 3) & 0xFF) }).base64EncodedString()
        let wrongKey = keyText.replacingOccurrences(of: secret.base64, with: otherSecret)
        let otherForms = try SecretForms(keyFile: wrongKey)
        try wrongKey.write(toFile: keyPath, atomically: true, encoding: .utf8)
        chmod(keyPath, 0o600)
        let wrong = try run("wrong key", ["apply", "--yes"])
        #expect(wrong.status == 1)
        #expect(
            wrong.stderr.contains("TSIG") || wrong.stderr.contains("BADSIG") || wrong.stderr.contains("signature"),
            "\(wrong.stderr)")
        #expect(otherForms.leak(in: Array((wrong.stdout + wrong.stderr).utf8)) == nil, "the wrong secret leaked")

        // Malformed key files holding the secret: each error names the file, never the secret.
        let malformed = [
            "key \"reconcile-hmac-sha256\" { algorithm hmac-sha256; secret \"\(secret.base64)\" };",
            "key \"reconcile-hmac-sha256\" { algorithm hmac-sha999; secret \"\(secret.base64)\"; };",
            "key \"reconcile-hmac-sha256\" { algorithm hmac-sha256; \"\(secret.base64)\"; };",
            "key \"reconcile-hmac-sha256\" { \(secret.base64); };",
            "\(secret.base64) trailing junk",
            "\(secret.base64)!",
        ]
        for (index, text) in malformed.enumerated() {
            try text.write(toFile: keyPath, atomically: true, encoding: .utf8)
            chmod(keyPath, 0o600)
            let result = try run("malformed key \(index)", ["plan", "--format", index % 2 == 0 ? "text" : "json"])
            #expect(result.status == 1, "malformed key \(index) was accepted")
            #expect((result.stdout + result.stderr).contains("tsig.key"), "\(result.stderr)")
        }

        // Unreadable: a directory where the file should be, then a file that does not exist.
        try FileManager.default.removeItem(atPath: keyPath)
        try FileManager.default.createDirectory(atPath: keyPath, withIntermediateDirectories: false)
        #expect(try run("key is a directory", ["apply", "--yes"]).status == 1)
        try FileManager.default.removeItem(atPath: keyPath)
        #expect(try run("key missing", ["plan", "--format", "json"]).status == 1)
        try keyText.write(toFile: keyPath, atomically: true, encoding: .utf8)

        for (label, result) in outputs {
            for (stream, text) in [("stdout", result.stdout), ("stderr", result.stderr)] {
                let leak = secret.leak(in: Array(text.utf8))
                #expect(leak == nil, "the secret (\(leak ?? "")) appears in the \(stream) of \(label)")
            }
        }
        let written = files(under: lab.dir.path, skipping: [keyPath])
        #expect(written.contains(lab.dir.path + "/state/journal.jsonl"))
        #expect(written.contains(metrics))
        #expect(written.contains { $0.hasPrefix(lab.dir.path + "/state/backups/") })
        for path in written {
            let bytes = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
            let leak = secret.leak(in: bytes)
            #expect(leak == nil, "the secret (\(leak ?? "")) appears in \(path)")
        }
    }

    /// Readable by its group is the documented way for unprivileged plans (issue 18); readable
    /// by every user is the warning.
    @Test func keyFileReadableByOthersIsAWarning() throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: OutageSites.records, vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        let keyPath = lab.dir.path + "/keys/tsig.key"
        let cases: [(mode: mode_t, warns: Bool)] = [
            (0o600, false), (0o400, false), (0o640, false), (0o440, false), (0o604, true), (0o644, true),
        ]
        for (mode, warns) in cases {
            chmod(keyPath, mode)
            let plan = try lab.reconcile(["plan", "--format", "json"])
            #expect(plan.status == 2 || plan.status == 0, "\(plan.stderr)")
            if warns {
                #expect(
                    plan.stderr.contains(
                        "warning: \(keyPath): the TSIG key file is readable by every user (mode \(String(mode, radix: 8))); anyone who reads it can change the zone: chmod 640 it (or 600), with a group only reconcile's users are in"
                    ), "mode \(String(mode, radix: 8)): \(plan.stderr)")
                // The warning goes to stderr only: JSON on stdout stays parseable.
                #expect(!plan.stdout.contains("TSIG key file is readable"))
            } else {
                #expect(!plan.stderr.contains("warning"), "mode \(String(mode, radix: 8)): \(plan.stderr)")
            }
        }
    }
}
