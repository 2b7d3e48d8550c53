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
/// Spawned directly and watched with `waitpid`/`poll` on one thread, because a reload script
/// may leave a daemon holding its output open: the command is done when it exits, not when
/// its output closes.
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

        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw notStarted("pipe: \(ZoneFileText.systemError())") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        defer { close(readEnd) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so a timeout can kill whatever it started too.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let arguments = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        // The caller's environment with the fixed PATH (ProgramSearch), never the caller's own.
        let environment =
            ProgramSearch.environment(ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { environment.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, arguments, environment)
        close(writeEnd)
        guard spawned == 0 else { throw notStarted(ZoneFileText.systemError(spawned)) }

        var output = ZoneFileCapturedOutput(limit: outputLimit)
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var open = true
        while true {
            open = open && Self.readAvailable(readEnd, into: &output, waitMilliseconds: 20)
            if waitpid(pid, &status, WNOHANG) == pid { break }
            if Date() >= deadline {
                kill(-pid, SIGTERM)
                usleep(200_000)
                kill(-pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw ZoneFileError(path: path, reason: .reloadTimedOut(command: shown, seconds: timeout))
            }
        }
        // Collect what it wrote before exiting, without waiting for a daemon it left behind.
        let drainUntil = Date().addingTimeInterval(0.2)
        while open && Date() < drainUntil {
            open = Self.readAvailable(readEnd, into: &output, waitMilliseconds: 20)
        }

        let signal = status & 0x7F
        let code = (status >> 8) & 0xFF
        guard signal == 0, code == 0 else {
            throw ZoneFileError(
                path: path,
                reason: .reloadFailed(command: shown, status: signal == 0 ? code : 128 + signal, output: output.text))
        }
        return output.text
    }

    /// Reads what `fd` has within `waitMilliseconds`; false once it reached end of file.
    static func readAvailable(_ fd: Int32, into output: inout ZoneFileCapturedOutput, waitMilliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, waitMilliseconds) > 0 else { return true }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            output.append(buffer[0..<count])
            return true
        }
        return count < 0 && (errno == EINTR || errno == EAGAIN)
    }
}
