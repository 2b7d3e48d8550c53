import CSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program to completion the one way this project runs programs: an argv (never a
/// shell), a time bound after which it and everything it started are stopped (SIGTERM, then
/// SIGKILL, to its own process group), and its output read as it comes and kept only up to a
/// bound, so a chatty or stuck child can neither block on a full pipe nor fill memory. apply's
/// commands, the zone reload command and the tests' tools all go through it.
///
/// It is `posix_spawn` and `waitpid` on the calling thread, not Foundation's `Process`: the
/// child inherits only its three standard descriptors (every other one is closed in the child,
/// so a program started at the same moment by another thread never holds this child's pipes
/// or this child a daemon's), and the run ends when the child exits, not when its output
/// closes, so a daemon the child left behind holding the pipe cannot keep it waiting.
public enum BoundedProcess {
    /// How the program ended and what it wrote.
    public struct Result: Sendable {
        /// The exit status, or the signal's number when a signal ended it; -1 when it timed out.
        public let status: Int32
        /// Standard output (with standard error too when run with `mergeOutput`), at most the
        /// output limit in bytes.
        public let stdout: String
        /// Standard error, at most the output limit in bytes; empty with `mergeOutput`.
        public let stderr: String
        /// It was still running at the deadline and was stopped.
        public let timedOut: Bool
        /// The signal that ended it, when one did (and it did not time out).
        public let terminatingSignal: Int32?
        /// Some output was dropped because it was longer than the limit.
        public let truncated: Bool
    }

    /// Why a program could not be started: the step and the system's words.
    public struct StartFailure: Error, CustomStringConvertible {
        public let executable: String
        public let step: String
        public let code: Int32
        public var description: String { "\(executable): \(step): \(String(cString: strerror(code)))" }
    }

    /// Runs `executable` with `arguments`. `environment` nil passes this process's own.
    /// Throws only when it cannot be started; a timeout is a result with ``Result/timedOut``
    /// set. After the child exits, its output is read for at most `afterExit` seconds more
    /// (what it wrote before exiting is already in the pipe; only a descendant still holding
    /// the pipe makes this wait).
    public static func run(
        executable: String, arguments: [String], input: Data? = nil, environment: [String: String]? = nil,
        currentDirectory: String? = nil, timeout: Double, outputLimit: Int, mergeOutput: Bool = false,
        afterExit: Double = 5
    ) throws(StartFailure) -> Result {
        func failure(_ step: String, _ code: Int32 = errno) -> StartFailure {
            StartFailure(executable: executable, step: step, code: code)
        }
        // Every descriptor made here is close-on-exec; the child gets copies on 0, 1 and 2 only.
        var outFDs: [Int32] = [-1, -1]
        guard reconcile_pipe_cloexec(&outFDs) == 0 else { throw failure("pipe") }
        var errFDs: [Int32] = [-1, -1]
        if !mergeOutput {
            guard reconcile_pipe_cloexec(&errFDs) == 0 else {
                let code = errno
                for fd in outFDs { close(fd) }
                throw failure("pipe", code)
            }
        }
        // Input goes through a socket so a child that exits without reading it is an EPIPE for
        // `send(MSG_NOSIGNAL)`, never a SIGPIPE for this process.
        var inFDs: [Int32] = [-1, -1]
        if input != nil {
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &inFDs) == 0 else {
                let code = errno
                for fd in outFDs + errFDs where fd >= 0 { close(fd) }
                throw failure("socketpair", code)
            }
        }
        let parentEnds = [outFDs[0]] + (mergeOutput ? [] : [errFDs[0]]) + (input != nil ? [inFDs[0]] : [])
        var childEnds = [outFDs[1]] + (mergeOutput ? [] : [errFDs[1]]) + (input != nil ? [inFDs[1]] : [])
        defer { for fd in parentEnds { close(fd) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input != nil {
            posix_spawn_file_actions_adddup2(&actions, inFDs[1], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outFDs[1], 1)
        posix_spawn_file_actions_adddup2(&actions, mergeOutput ? outFDs[1] : errFDs[1], 2)
        var code = reconcile_spawn_add_closefrom(&actions, 3)
        guard code == 0 else {
            for fd in childEnds { close(fd) }
            throw failure("closing inherited descriptors", code)
        }
        if let currentDirectory {
            code = reconcile_spawn_add_chdir(&actions, currentDirectory)
            guard code == 0 else {
                for fd in childEnds { close(fd) }
                throw failure("changing to \(currentDirectory)", code)
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so a timeout stops whatever it started too; default signal
        // dispositions and an empty mask, whatever this process ignores or blocks.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for variable in envp { free(variable) } }
        var pid: pid_t = 0
        code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        for fd in childEnds { close(fd) }
        childEnds = []
        guard code == 0 else { throw failure("cannot start", code) }

        var streams = [OutputStream(fd: outFDs[0], limit: outputLimit)]
        if !mergeOutput { streams.append(OutputStream(fd: errFDs[0], limit: outputLimit)) }
        var feeder = input.map { InputFeeder(fd: inFDs[0], bytes: [UInt8]($0)) }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var timedOut = false
        while true {
            if waitpid(pid, &status, WNOHANG) == pid { break }
            if Date() >= deadline {
                timedOut = true
                kill(-pid, SIGTERM)
                let grace = Date().addingTimeInterval(0.2)
                while waitpid(pid, &status, WNOHANG) != pid && Date() < grace { usleep(5000) }
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                break
            }
            Self.pump(&streams, &feeder, waitMilliseconds: 20)
        }
        // Whatever it wrote before exiting, without waiting long for a descendant it left.
        feeder?.finish()
        let drainUntil = Date().addingTimeInterval(timedOut ? min(afterExit, 1) : afterExit)
        while streams.contains(where: { $0.open }) && Date() < drainUntil {
            Self.pump(&streams, &feeder, waitMilliseconds: 20)
        }
        let signal = status & 0x7F
        let exited = signal == 0
        return Result(
            status: timedOut ? -1 : (exited ? (status >> 8) & 0xFF : signal),
            stdout: streams[0].text, stderr: mergeOutput ? "" : streams[1].text, timedOut: timedOut,
            terminatingSignal: timedOut || exited ? nil : signal,
            truncated: streams.contains { $0.truncated })
    }

    /// Waits up to `waitMilliseconds` for output or room for input, and moves what it can.
    static func pump(_ streams: inout [OutputStream], _ feeder: inout InputFeeder?, waitMilliseconds: Int32) {
        var descriptors = streams.filter(\.open).map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        if let feeder, !feeder.done { descriptors.append(pollfd(fd: feeder.fd, events: Int16(POLLOUT), revents: 0)) }
        guard !descriptors.isEmpty else {
            usleep(UInt32(waitMilliseconds) * 1000)
            return
        }
        guard poll(&descriptors, nfds_t(descriptors.count), waitMilliseconds) > 0 else { return }
        for descriptor in descriptors where descriptor.revents != 0 {
            if let index = streams.firstIndex(where: { $0.fd == descriptor.fd }) {
                streams[index].readAvailable()
            } else {
                feeder?.writeSome()
            }
        }
    }
}

/// One output pipe being read: bytes up to a limit, the rest counted as dropped.
struct OutputStream {
    let fd: Int32
    let limit: Int
    private(set) var open = true
    private(set) var truncated = false
    private var kept: [UInt8] = []

    init(fd: Int32, limit: Int) {
        self.fd = fd
        self.limit = limit
    }

    mutating func readAvailable() {
        var buffer = [UInt8](repeating: 0, count: 16384)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            let room = max(0, limit - kept.count)
            kept += buffer[0..<min(count, room)]
            if count > room { truncated = true }
        } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
            open = false
        }
    }

    var text: String { String(decoding: kept, as: UTF8.self) }
}

/// The input being written to the child's standard input, as room allows.
struct InputFeeder {
    let fd: Int32
    let bytes: [UInt8]
    private var sent = 0
    private(set) var done = false

    init(fd: Int32, bytes: [UInt8]) {
        self.fd = fd
        self.bytes = bytes
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        if bytes.isEmpty { finish() }
    }

    mutating func writeSome() {
        guard !done else { return }
        let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if count > 0 {
            sent += count
            if sent == bytes.count { finish() }
        } else if count < 0 && errno != EAGAIN && errno != EINTR {
            finish()
        }
    }

    /// End of input for the child (it stops waiting for more).
    mutating func finish() {
        guard !done else { return }
        done = true
        shutdown(fd, Int32(SHUT_WR))
    }
}
