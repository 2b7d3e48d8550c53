import Foundation

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
        let process = Process()
        let executable = command[0].hasPrefix("/") ? command[0] : (ServerBinary.find(command[0]) ?? command[0])
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let outPipe = Pipe()
        let errPipe = Pipe()
        let inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        let out = BoundedBuffer(limit: outputLimit)
        let err = BoundedBuffer(limit: outputLimit)
        let group = DispatchGroup()
        for (pipe, buffer) in [(outPipe, out), (errPipe, err)] {
            group.enter()
            DispatchQueue.global().async {
                let handle = pipe.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    buffer.append(chunk)
                }
                group.leave()
            }
        }
        do {
            try process.run()
        } catch {
            throw Failure(command: command, result: nil, reason: "could not start: \(error)")
        }
        if let input { inPipe.fileHandleForWriting.write(input) }
        try? inPipe.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            usleep(2000)
        }
        if process.isRunning {
            process.terminate()
            usleep(100_000)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            _ = group.wait(timeout: .now() + 2)
            throw Failure(
                command: command, result: Result(status: -1, stdout: out.string, stderr: err.string),
                reason: "timed out after \(timeout)s")
        }
        process.waitUntilExit()
        _ = group.wait(timeout: .now() + 5)
        return Result(status: process.terminationStatus, stdout: out.string, stderr: err.string)
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

final class BoundedBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let limit: Int
    init(limit: Int) { self.limit = limit }
    func append(_ chunk: Data) {
        lock.lock()
        defer { lock.unlock() }
        let room = limit - data.count
        if room > 0 { data.append(chunk.prefix(room)) }
    }
    var string: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
