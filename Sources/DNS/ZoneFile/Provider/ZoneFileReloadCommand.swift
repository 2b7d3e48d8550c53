import Foundation
import ProcessRunning

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs the configured reload command (`rndc reload zone`, `systemctl reload ...`) after a
/// zone file is written: argv without a shell, at most `timeout` seconds, at most
/// `outputLimit` bytes of its combined stdout and stderr kept for the message.
///
/// A reload script may leave a daemon holding its output open: the command is done when it
/// exits, not when its output closes (``BoundedProcess`` waits 0.2 s more for output, no longer).
struct ZoneFileReloadCommand {
    let argv: [String]
    let timeout: Double
    let outputLimit: Int

    /// The command's output when it exits 0; a ``ZoneFileError`` naming it otherwise.
    func run(path: String) throws(ZoneFileError) -> String {
        let shown = argv.joined(separator: " ")
        func notStarted(_ reason: String) -> ZoneFileError {
            ZoneFileError(path: path, reason: .reloadNotStarted(command: shown, reason: reason))
        }
        guard let program = argv.first, !program.isEmpty else { throw notStarted("empty command") }
        guard let executable = ProgramSearch.resolve(program) else {
            throw notStarted("\(program) is not an executable on \(ProgramSearch.path)")
        }
        guard access(executable, X_OK) == 0 else { throw notStarted("\(executable): \(ZoneFileText.systemError())") }

        let result: BoundedProcess.Result
        do {
            // The caller's environment with the fixed PATH (ProgramSearch), never the caller's own.
            result = try BoundedProcess.run(
                executable: executable, arguments: Array(argv.dropFirst()),
                environment: ProgramSearch.environment(ProcessInfo.processInfo.environment), timeout: timeout,
                outputLimit: outputLimit, mergeOutput: true, afterExit: 0.2)
        } catch {
            throw notStarted("\(error)")
        }
        if result.timedOut {
            throw ZoneFileError(path: path, reason: .reloadTimedOut(command: shown, seconds: timeout))
        }
        var text = Substring(result.stdout)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        let output = result.truncated ? text + " [output truncated]" : String(text)
        guard result.status == 0, result.terminatingSignal == nil else {
            let status = result.terminatingSignal.map { 128 + $0 } ?? result.status
            throw ZoneFileError(path: path, reason: .reloadFailed(command: shown, status: status, output: output))
        }
        return output
    }
}
