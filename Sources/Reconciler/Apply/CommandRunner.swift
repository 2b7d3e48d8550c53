import Foundation
import ProcessRunning

/// Runs the commands the desired state names (nginx test and reload, zone reload, git) as
/// argv, never through a shell, with a timeout and bounded output. The program runs by its
/// absolute path (a bare name is looked up on ``ProgramSearch/path``, never on the caller's
/// `PATH`), and the child gets that fixed `PATH` too.
public enum CommandRunner {
    public struct Result: Sendable {
        public let status: Int32
        /// Standard output and standard error, interleaved, at most `outputLimit` bytes.
        public let output: String

        public init(status: Int32, output: String) {
            self.status = status
            self.output = output
        }
    }

    public static func run(_ argv: [String], timeout: Double = 60, outputLimit: Int = 65536) throws(ReconcileError)
        -> Result
    {
        guard let program = argv.first else { throw .other("empty command") }
        guard let executable = ProgramSearch.resolve(program) else {
            throw .other(
                "cannot run \(argv.joined(separator: " ")): \(program) is not an executable on \(ProgramSearch.path)")
        }
        let result: BoundedProcess.Result
        do {
            result = try BoundedProcess.run(
                executable: executable, arguments: Array(argv.dropFirst()),
                environment: ProgramSearch.environment(ProcessInfo.processInfo.environment),
                timeout: timeout, outputLimit: outputLimit, mergeOutput: true)
        } catch {
            throw .other("cannot run \(argv.joined(separator: " ")): \(error)")
        }
        if result.timedOut {
            throw .other("\(argv.joined(separator: " ")) did not finish within \(Int(timeout))s")
        }
        return Result(status: result.status, output: result.stdout)
    }
}
