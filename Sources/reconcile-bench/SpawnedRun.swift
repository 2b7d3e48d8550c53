import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One run of a program as a user runs it: its own process, standard output to a file,
/// measured from spawn to exit, with that process's own peak RSS (from `wait4`, not the
/// bench's).
struct SpawnedRun {
    let milliseconds: Double
    /// User plus system CPU time of the process: far less disturbed than wall time when
    /// other work shares the machine's cores.
    let cpuMilliseconds: Double
    let peakRSSMiB: Double
    let status: Int32
    let outputBytes: Int

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `argv` (argv[0] an absolute path; every path in it absolute); output goes to
    /// `outputFile`, standard error to `outputFile.err`.
    static func run(_ argv: [String], outputFile: String) throws -> SpawnedRun {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, outputFile + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let arguments = argv.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid = pid_t()
        let start = DispatchTime.now().uptimeNanoseconds
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, arguments, environ)
        guard spawned == 0 else {
            throw Failure(description: "cannot start \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw Failure(description: "wait4: \(String(cString: strerror(errno)))") }
        }
        let end = DispatchTime.now().uptimeNanoseconds
        let size = (try? FileManager.default.attributesOfItem(atPath: outputFile)[.size] as? Int) ?? 0
        let exited = status & 0x7F == 0
        let cpu =
            Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3
        return SpawnedRun(
            milliseconds: Double(end - start) / 1e6, cpuMilliseconds: cpu, peakRSSMiB: Double(usage.ru_maxrss) / 1024,
            status: exited ? (status >> 8) & 0xFF : -(status & 0x7F), outputBytes: size)
    }

    /// `runs` runs; throws unless each exits with one of `statuses`.
    static func repeated(
        _ runs: Int, _ argv: [String], outputFile: String, statuses: Set<Int32>
    ) throws -> [SpawnedRun] {
        try (0..<runs).map { _ in
            let run = try run(argv, outputFile: outputFile)
            guard statuses.contains(run.status) else {
                let stderr = (try? String(contentsOfFile: outputFile + ".err", encoding: .utf8)) ?? ""
                throw Failure(description: "\(argv.joined(separator: " ")) exited \(run.status): \(stderr)")
            }
            return run
        }
    }
}
