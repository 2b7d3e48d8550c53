import Foundation

/// Runs the configured reload command (`rndc reload zone`, `systemctl reload ...`) after a
/// zone file is written: argv without a shell, at most `timeout` seconds, at most
/// `outputLimit` bytes of its combined output kept for the error message.
struct ZoneFileReloadCommand {
    let argv: [String]
    let timeout: Double
    let outputLimit: Int

    /// The command's output when it exits 0; a ``ZoneFileError`` naming it otherwise.
    func run(path: String) throws(ZoneFileError) -> String {
        let shown = argv.joined(separator: " ")
        guard let program = argv.first, !program.isEmpty else {
            throw ZoneFileError(path: path, reason: .reloadNotStarted(command: shown, reason: "empty command"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.resolve(program))
        process.arguments = Array(argv.dropFirst())
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = ZoneFileCapturedOutput(limit: outputLimit)
        let exited = DispatchSemaphore(value: 0)
        let drained = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw ZoneFileError(path: path, reason: .reloadNotStarted(command: shown, reason: "\(error)"))
        }
        // Our copy of the write end must go, or the reader never sees end-of-file.
        try? pipe.fileHandleForWriting.close()
        let reader = pipe.fileHandleForReading
        DispatchQueue.global().async {
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                output.append(chunk)
            }
            drained.signal()
        }
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            if exited.wait(timeout: .now() + 1) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
            _ = drained.wait(timeout: .now() + 1)
            throw ZoneFileError(path: path, reason: .reloadTimedOut(command: shown, seconds: timeout))
        }
        // A child that left a grandchild holding the pipe must not hang us.
        _ = drained.wait(timeout: .now() + 2)
        let text = output.text
        guard process.terminationStatus == 0, process.terminationReason == .exit else {
            throw ZoneFileError(
                path: path,
                reason: .reloadFailed(command: shown, status: process.terminationStatus, output: text))
        }
        return text
    }

    /// An absolute path for `program`, searched on PATH when it has no slash.
    static func resolve(_ program: String) -> String {
        guard !program.contains("/") else { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return program
    }
}
