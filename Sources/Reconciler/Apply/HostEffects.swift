import ContainedFiles
import Foundation

/// The one seam between apply and the host: every file apply writes into the nginx tree,
/// every command it runs, nginx's workers, the sockets it checks, the clock, and the named
/// points where the fault-injection tests stop it. ``SystemEffects`` is the real host; the
/// tests' recording twin (TestSupport) keeps files in memory and logs each call in order.
public protocol HostEffects: Sendable {
    /// The bytes of the file `path` names under `rule`; nil when there is none.
    func read(_ path: String, rule: WriteRule) throws(ContainedWriteError) -> [UInt8]?
    /// Where a write to `path` would land under `rule`, and whether the rule allows it.
    func destination(of path: String, rule: WriteRule) throws(ContainedWriteError) -> ContainedFile.Destination
    /// Replaces the file with `bytes`, refused unless it still holds `expected`; `beforeRename`
    /// runs after the new bytes are flushed and before the rename.
    func write(
        _ bytes: [UInt8], to path: String, rule: WriteRule, expected: [UInt8],
        beforeRename: @escaping @Sendable () -> Void
    ) throws(ContainedWriteError) -> WrittenFile
    /// Puts `bytes` back where `file` was written, only over the bytes that write left.
    func restore(_ bytes: [UInt8], over file: WrittenFile, expected: [UInt8]) throws(ContainedWriteError)
    /// Runs a command (argv, never a shell) with a time bound.
    func run(_ argv: [String], timeout: Double) throws(ReconcileError) -> CommandRunner.Result
    /// The nginx master's worker processes now.
    func workers(of master: NginxMaster) -> Set<Int32>
    /// Waits until the master's workers are all new ones; false at the timeout.
    func waitForNewWorkers(of master: NginxMaster, replacing old: Set<Int32>, timeout: Double) -> Bool
    /// Whether a TCP connection to the address and port succeeds within `seconds`.
    func connects(address: String, port: UInt16, within seconds: Double) -> Bool
    /// Waits `seconds`.
    func pause(_ seconds: Double)
    /// The time now.
    func now() -> Date
    /// Apply reached a named point (``FaultPoint``); the fault-injection tests stop it here.
    func reach(_ point: FaultPoint)
}

/// A file apply wrote: where it landed (a symlink's target), and what the real host needs to
/// put the old bytes back through the directory it used.
public struct WrittenFile: Sendable {
    /// The file written, symlinks resolved.
    public let path: String
    /// The real host's handle on the write; nil in the recording twin.
    public let contained: ContainedFile.WrittenFile?

    public init(path: String, contained: ContainedFile.WrittenFile? = nil) {
        self.path = path
        self.contained = contained
    }
}

/// The real host: the contained write primitive, ``CommandRunner``, `/proc`, sockets, the clock.
public struct SystemEffects: HostEffects {
    /// The fault the tests armed (read from the environment by the command, never here).
    public let faults: FaultInjection?

    public init(faults: FaultInjection? = nil) { self.faults = faults }

    public func read(_ path: String, rule: WriteRule) throws(ContainedWriteError) -> [UInt8]? {
        try ContainedFile.read(path, rule: rule)
    }

    public func destination(of path: String, rule: WriteRule) throws(ContainedWriteError) -> ContainedFile.Destination {
        try ContainedFile.destination(of: path, rule: rule)
    }

    public func write(
        _ bytes: [UInt8], to path: String, rule: WriteRule, expected: [UInt8],
        beforeRename: @escaping @Sendable () -> Void
    ) throws(ContainedWriteError) -> WrittenFile {
        let written = try ContainedFile.write(
            bytes, to: path, rule: rule, options: .init(expected: expected, beforeRename: beforeRename))
        return WrittenFile(path: written.path, contained: written)
    }

    public func restore(_ bytes: [UInt8], over file: WrittenFile, expected: [UInt8]) throws(ContainedWriteError) {
        guard let contained = file.contained else { preconditionFailure("a recorded write restored on the real host") }
        try ContainedFile.write(
            bytes, over: contained, options: .init(expected: expected, modified: contained.replacedModification))
    }

    public func run(_ argv: [String], timeout: Double) throws(ReconcileError) -> CommandRunner.Result {
        try CommandRunner.run(argv, timeout: timeout)
    }

    public func workers(of master: NginxMaster) -> Set<Int32> { master.activeWorkers() }

    public func waitForNewWorkers(of master: NginxMaster, replacing old: Set<Int32>, timeout: Double) -> Bool {
        master.waitForNewWorkers(replacing: old, timeout: timeout)
    }

    public func connects(address: String, port: UInt16, within seconds: Double) -> Bool {
        SocketCheck.waitUntilConnects(address: address, port: port, within: seconds)
    }

    public func pause(_ seconds: Double) { usleep(UInt32(seconds * 1_000_000)) }

    public func now() -> Date { Date() }

    public func reach(_ point: FaultPoint) { faults?.reach(point) }
}
