import Foundation

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
        let process = Process()
        if program.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(argv.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = argv
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = (environment["PATH"].map { $0 + ":" } ?? "") + "/usr/sbin:/sbin:/usr/bin:/bin"
            process.environment = environment
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let collected = Collected(limit: outputLimit)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let handle = pipe.fileHandleForReading
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                collected.append(chunk)
            }
            done.signal()
        }
        do {
            try process.run()
        } catch {
            throw .other("cannot run \(argv.joined(separator: " ")): \((error as NSError).localizedDescription)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2000) }
        if process.isRunning {
            process.terminate()
            usleep(200_000)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            throw .other("\(argv.joined(separator: " ")) did not finish within \(Int(timeout))s")
        }
        process.waitUntilExit()
        _ = done.wait(timeout: .now() + 5)
        return Result(status: process.terminationStatus, output: collected.text)
    }

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        private let limit: Int
        init(limit: Int) { self.limit = limit }
        func append(_ chunk: Data) {
            lock.lock()
            defer { lock.unlock() }
            if data.count < limit { data.append(chunk.prefix(limit - data.count)) }
        }
        var text: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
