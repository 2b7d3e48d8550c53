import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A local attacker for the contained-write tests: an unprivileged process (user `nobody`,
/// through `setpriv`) that owns a directory of the tree apply writes and keeps swapping a
/// symlink there between a harmless target and a victim file, once per inotify event about
/// another file in the watched directories, so the steps of an apply (read, test, backup,
/// write, rename) meet both in turn. A real process, as the project's rule for hostile peers
/// asks; the swap itself is atomic (a new link renamed over the old).
public final class SymlinkSwapper: @unchecked Sendable {
    let server: ServerProcess
    let directory: TemporaryDirectory
    let link: String
    let good: String

    static let script = """
        import ctypes, os, select, signal, struct, sys
        link, good, bad = sys.argv[1:4]
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        for watched in sys.argv[4:]:
            libc.inotify_add_watch(fd, watched.encode(), 0x00000FFF)
        swap = os.path.join(os.path.dirname(link), ".attacker-swap")
        own = {os.path.basename(link).encode(), b".attacker-swap", b".test-swap"}
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
        def point(target):
            try:
                try:
                    os.unlink(swap)
                except FileNotFoundError:
                    pass
                os.symlink(target, swap)
                os.rename(swap, link)
            except OSError:
                pass
        def others(data):
            # Events about files other than the attacker's own link and swap file.
            count, offset = 0, 0
            while offset + 16 <= len(data):
                _, _, _, length = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16 : offset + 16 + length].rstrip(b"\\0")
                offset += 16 + length
                if name not in own:
                    count += 1
            return count
        swaps = 0
        while not stop:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                continue
            # Every step of apply that touches the tree (a read, the test, the backup, the
            # temporary file, the rename) flips the link once.
            for _ in range(others(data)):
                point(bad if swaps % 2 == 0 else good)
                swaps += 1
        point(good)
        print(swaps, flush=True)
        """

    /// Starts swapping `link` between `good` and `bad` as user `nobody`, reacting to events in
    /// `watch`. The directory holding `link` must be writable by `nobody`.
    public init(link: String, good: String, bad: String, watch: [String]) throws {
        directory = try TemporaryDirectory(prefix: "reconcile-attacker")
        chmod(directory.path, 0o755)
        let script = try directory.write("swap.py", Self.script)
        chmod(script.path, 0o644)
        let setpriv = try ServerBinary.require("setpriv")
        // The system's Python: one under /root (pyenv) is not runnable by nobody.
        let python =
            FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
            ? "/usr/bin/python3" : try ServerBinary.require("python3")
        self.link = link
        self.good = good
        server = try ServerProcess(
            executable: setpriv,
            arguments: ["--reuid=65534", "--regid=65534", "--clear-groups", "--", python, script.path, link, good, bad]
                + watch,
            logPath: directory.path + "/swap.log")
    }

    /// Freezes the attacker and, as root, points the link back at the harmless target.
    public func pause() {
        kill(server.process.processIdentifier, SIGSTOP)
        let deadline = Date().addingTimeInterval(10)
        while !Self.isStopped(server.process.processIdentifier) && server.isRunning && Date() < deadline {
            usleep(1000)
        }
        let swap = (link as NSString).deletingLastPathComponent + "/.test-swap"
        unlink(swap)
        symlink(good, swap)
        rename(swap, link)
    }

    public func resume() { kill(server.process.processIdentifier, SIGCONT) }

    /// Whether the attacker is still at work.
    public var isRunning: Bool { server.isRunning }

    /// What it printed (its swap count when stopped, or why it died).
    public var log: String { server.log }

    /// Ends it (a stopped attacker is let go first, so it can take the SIGTERM).
    public func stop() {
        if server.isRunning { kill(server.process.processIdentifier, SIGCONT) }
        server.stop()
    }

    deinit { stop() }

    static func isStopped(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("T")
    }
}
