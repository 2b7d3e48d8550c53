import Foundation
import ProcessRunning
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// How every program reconcile and its tests start is run: what the child inherits, when the
/// run ends, and what a timeout stops. Real programs (`sh`, `cat`, `sleep`).
@Suite struct BoundedProcessTests {
    static func shell(
        _ script: String, input: Data? = nil, timeout: Double = 20, outputLimit: Int = 1 << 20, afterExit: Double = 5
    ) throws -> BoundedProcess.Result {
        try BoundedProcess.run(
            executable: "/bin/sh", arguments: ["-c", script], input: input, environment: ["PATH": "/usr/bin:/bin"],
            timeout: timeout, outputLimit: outputLimit, afterExit: afterExit)
    }

    /// A descriptor this process holds without close-on-exec (any library's, opened by any
    /// thread) is not in the child: a daemon started at that moment cannot hold another run's
    /// pipe open, which once kept a finished `openssl` "running" for a minute.
    @Test func theChildInheritsOnlyItsStandardDescriptors() throws {
        let opened = open("/dev/null", O_RDONLY)
        #expect(opened >= 0)
        let high: Int32 = 211
        #expect(dup2(opened, high) == high)
        close(opened)
        defer { close(high) }
        let result = try Self.shell("ls /proc/$$/fd")
        let descriptors = Set(result.stdout.split(whereSeparator: \.isWhitespace).map(String.init))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(descriptors.isSuperset(of: ["0", "1", "2"]))
        #expect(!descriptors.contains(String(high)), "inherited: \(descriptors.sorted())")
        // The shell may hold one descriptor of its own (its script); nothing else.
        #expect(descriptors.count <= 4, "inherited: \(descriptors.sorted())")
    }

    /// The run ends when the child exits, not when a process it left behind closes the pipe.
    @Test func aDescendantHoldingTheOutputDoesNotHoldTheRun() throws {
        let started = Date()
        let result = try Self.shell("sleep 3 & echo started", afterExit: 0.3)
        #expect(result.status == 0)
        #expect(!result.timedOut)
        #expect(result.stdout == "started\n")
        #expect(Date().timeIntervalSince(started) < 2.5)
    }

    /// A timeout stops the child and everything in its process group, and says it timed out.
    @Test func aTimeoutStopsTheChildAndWhatItStarted() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bounded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pidFile = directory.appendingPathComponent("pid").path
        let started = Date()
        let result = try Self.shell("sleep 100 & echo $! > \(pidFile); sleep 100", timeout: 0.5)
        #expect(result.timedOut)
        #expect(result.status == -1)
        #expect(Date().timeIntervalSince(started) < 5)
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        let descendant = try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        // The killed sleep is reaped by init shortly; it must not be running on.
        var gone = false
        for _ in 0..<100 where !gone {
            gone = kill(descendant, 0) != 0 || Self.isZombie(descendant)
            if !gone { usleep(20_000) }
        }
        #expect(gone, "sleep \(descendant) outlived the timeout")
    }

    static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    /// Input reaches the child whole; output beyond the limit is dropped and said to be.
    @Test func inputIsDeliveredAndOutputIsBounded() throws {
        // Printable ASCII, so the captured text is the same bytes.
        let input = Data((0..<300_000).map { UInt8(UInt32(truncatingIfNeeded: $0 &* 2_654_435_761) % 95) + 32 })
        let echoed = try BoundedProcess.run(
            executable: "/bin/cat", arguments: [], input: input, timeout: 20, outputLimit: 1 << 20)
        #expect(echoed.status == 0)
        #expect(!echoed.truncated)
        let same = Data(echoed.stdout.utf8) == input
        #expect(same, "\(echoed.stdout.utf8.count) bytes came back of \(input.count)")
        let bounded = try BoundedProcess.run(
            executable: "/bin/cat", arguments: [], input: input, timeout: 20, outputLimit: 1000)
        #expect(bounded.truncated)
        #expect(bounded.stdout.utf8.count == 1000)
    }

    /// A child that exits without reading its input is an ordinary exit, not a SIGPIPE here.
    @Test func aChildThatIgnoresItsInputEndsNormally() throws {
        let result = try Self.shell("exit 3", input: Data(count: 8 << 20))
        #expect(result.status == 3)
        #expect(!result.timedOut)
    }

    /// A signal that ends the child is reported as that signal; the exit code is its number.
    @Test func aSignalIsReportedAsTheSignal() throws {
        let result = try Self.shell("kill -TERM $$; sleep 5")
        #expect(result.terminatingSignal == SIGTERM)
        #expect(result.status == SIGTERM)
    }

    /// Standard error is kept apart unless merged, and the working directory is the one asked for.
    @Test func streamsAndWorkingDirectory() throws {
        let apart = try BoundedProcess.run(
            executable: "/bin/sh", arguments: ["-c", "pwd; echo oops >&2"], currentDirectory: "/usr",
            timeout: 20, outputLimit: 4096)
        #expect(apart.stdout == "/usr\n")
        #expect(apart.stderr == "oops\n")
        let merged = try BoundedProcess.run(
            executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2"], timeout: 20, outputLimit: 4096,
            mergeOutput: true)
        #expect(merged.stdout == "out\nerr\n")
        #expect(merged.stderr == "")
    }

    /// A program that is not there is a start failure naming it and the system's reason.
    @Test func aMissingProgramIsAStartFailure() {
        #expect {
            try BoundedProcess.run(executable: "/nonexistent/program", arguments: [], timeout: 5, outputLimit: 10)
        } throws: { error in
            "\(error)".contains("/nonexistent/program") && "\(error)".contains("No such file")
        }
    }
}
