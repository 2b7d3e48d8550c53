import Foundation
import ProcessRunning

/// Runs the commands the desired state names (nginx test and reload, zone reload, git) as
/// argv, never through a shell, with a timeout and bounded output.
public enum CommandRunner {
    public struct Result: Sendable {
        public let status: Int32
        /// Standard output and standard error, interleaved, at most `outputLimit` bytes.
        public let output: String
    }

    public static func run(_ argv: [String], timeout: Double = 60, outputLimit: Int = 65536) throws(ReconcileError)
        -> Result
    {
        guard let program = argv.first else { throw .other("empty command") }
        // A bare program name is looked up on PATH, with the sbin directories nginx and rndc
        // live in added (a systemd unit's PATH may lack them).
        var environment: [String: String]?
        if !program.hasPrefix("/") {
            var path = ProcessInfo.processInfo.environment
            path["PATH"] = (path["PATH"].map { $0 + ":" } ?? "") + "/usr/sbin:/sbin:/usr/bin:/bin"
            environment = path
        }
        let result: BoundedProcess.Result
        do {
            result = try BoundedProcess.run(
                executable: program.hasPrefix("/") ? program : "/usr/bin/env",
                arguments: program.hasPrefix("/") ? Array(argv.dropFirst()) : argv, environment: environment,
                timeout: timeout, outputLimit: outputLimit, mergeOutput: true)
        } catch {
            throw .other("cannot run \(argv.joined(separator: " ")): \((error as NSError).localizedDescription)")
        }
        if result.timedOut {
            throw .other("\(argv.joined(separator: " ")) did not finish within \(Int(timeout))s")
        }
        return Result(status: result.status, output: result.stdout)
    }
}
