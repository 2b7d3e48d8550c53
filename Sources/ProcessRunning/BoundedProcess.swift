import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program to completion the one way this project runs programs: an argv (never a
/// shell), a time bound after which it is stopped (SIGTERM, then SIGKILL), and its output read
/// as it comes and kept only up to a bound, so a chatty or stuck child can neither block on a
/// full pipe nor fill memory. apply's commands and the tests' tools both go through it.
public enum BoundedProcess {
    /// How the program ended and what it wrote.
    public struct Result: Sendable {
        /// The exit status, or the signal's number when it was killed; -1 when it timed out.
        public let status: Int32
        /// Standard output (with standard error too when run with `mergeOutput`), at most the
        /// output limit in bytes.
        public let stdout: String
        /// Standard error, at most the output limit in bytes; empty with `mergeOutput`.
        public let stderr: String
        /// It was still running at the deadline and was stopped.
        public let timedOut: Bool
    }

    /// Runs `executable` with `arguments`. Throws only when it cannot be started (the system's
    /// error); a timeout is a result with ``Result/timedOut`` set.
    public static func run(
        executable: String, arguments: [String], input: Data? = nil, environment: [String: String]? = nil,
        currentDirectory: String? = nil, timeout: Double, outputLimit: Int, mergeOutput: Bool = false
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let outPipe = Pipe()
        let errPipe = mergeOutput ? outPipe : Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let inPipe = input.map { _ in Pipe() }
        process.standardInput = inPipe ?? FileHandle.nullDevice
        let out = BoundedBuffer(limit: outputLimit)
        let err = BoundedBuffer(limit: outputLimit)
        let readers = DispatchGroup()
        for (pipe, buffer) in mergeOutput ? [(outPipe, out)] : [(outPipe, out), (errPipe, err)] {
            readers.enter()
            DispatchQueue.global().async {
                let handle = pipe.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    buffer.append(chunk)
                }
                readers.leave()
            }
        }
        try process.run()
        if let input, let inPipe {
            inPipe.fileHandleForWriting.write(input)
            try? inPipe.fileHandleForWriting.close()
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2000) }
        let timedOut = process.isRunning
        if timedOut {
            process.terminate()
            usleep(200_000)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        // A grandchild that kept the pipe open must not hold us past the child's exit.
        _ = readers.wait(timeout: .now() + (timedOut ? 2 : 5))
        return Result(
            status: timedOut ? -1 : process.terminationStatus, stdout: out.string, stderr: err.string,
            timedOut: timedOut)
    }
}

/// Bytes read from a pipe, up to a limit; the rest is dropped.
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
