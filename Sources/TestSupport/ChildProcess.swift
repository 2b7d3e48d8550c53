import Foundation
import ProcessRunning

/// Runs a program to completion with a time bound and bounded captured output.
public struct ChildProcess: Sendable {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        public var succeeded: Bool { status == 0 }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let command: [String]
        public let result: Result?
        public let reason: String
        public var description: String {
            var text = "\(command.joined(separator: " ")): \(reason)"
            if let result { text += "\nstdout: \(result.stdout)\nstderr: \(result.stderr)" }
            return text
        }
    }

    /// Runs `command` (argv[0] must be an absolute path or found on PATH), waiting at most
    /// `timeout` seconds; output beyond `outputLimit` bytes per stream is dropped.
    @discardableResult
    public static func run(
        _ command: [String], input: Data? = nil, environment: [String: String]? = nil,
        currentDirectory: String? = nil, timeout: Double = 60, outputLimit: Int = 1 << 20
    ) throws -> Result {
        precondition(!command.isEmpty)
        let executable = command[0].hasPrefix("/") ? command[0] : (ServerBinary.find(command[0]) ?? command[0])
        let outcome: BoundedProcess.Result
        do {
            outcome = try BoundedProcess.run(
                executable: executable, arguments: Array(command.dropFirst()), input: input ?? Data(),
                environment: environment, currentDirectory: currentDirectory, timeout: timeout, outputLimit: outputLimit
            )
        } catch {
            throw Failure(command: command, result: nil, reason: "could not start: \(error)")
        }
        let result = Result(status: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr)
        if outcome.timedOut { throw Failure(command: command, result: result, reason: "timed out after \(timeout)s") }
        return result
    }

    /// Like ``run(_:input:environment:currentDirectory:timeout:outputLimit:)`` but throws
    /// when the exit status is not 0.
    @discardableResult
    public static func check(_ command: [String], timeout: Double = 60) throws -> Result {
        let result = try run(command, timeout: timeout)
        guard result.succeeded else {
            throw Failure(command: command, result: result, reason: "exit status \(result.status)")
        }
        return result
    }
}
