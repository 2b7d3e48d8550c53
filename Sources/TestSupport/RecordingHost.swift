import ContainedFiles
import DNS
import Foundation
import Reconciler
import Synchronization

/// The in-memory twin of ``SystemEffects``: nginx files are read from disk once and then kept
/// in memory, commands are not run but answered, and every call is logged in order, so a
/// test can drive ``Applier`` in-process and assert the order of its steps (serve before
/// advertise, restore on a failed test) and the bytes it leaves.
public final class RecordingHost: HostEffects, Sendable {
    /// One call apply made, in order.
    public enum Event: Sendable, Equatable, CustomStringConvertible {
        case write(String)
        case restore(String)
        case run([String])
        case connect(String, UInt16)
        case reached(FaultPoint)
        /// A DNS write, through a ``RecordingDNSProvider``.
        case dns(zone: String, changes: Int)

        public var description: String {
            switch self {
            case .write(let path): "write \((path as NSString).lastPathComponent)"
            case .restore(let path): "restore \((path as NSString).lastPathComponent)"
            case .run(let argv): "run \(argv.map { ($0 as NSString).lastPathComponent }.joined(separator: " "))"
            case .connect(let address, let port): "connect \(address) \(port)"
            case .reached(let point): "reached \(point.rawValue)"
            case .dns(let zone, let changes): "dns \(zone) \(changes)"
            }
        }
    }

    private struct State {
        var events: [Event] = []
        var files: [String: [UInt8]] = [:]
        var workerGeneration: Int32 = 1
    }

    private let state = Mutex(State())
    /// The exit status and output of a command (default: 0, no output).
    public let answer: @Sendable ([String]) -> CommandRunner.Result
    /// Whether a socket answers (default: every one).
    public let answers: @Sendable (String, UInt16) -> Bool
    /// Called at each fault point, after it is logged (a test looks at the state directory).
    public let onReach: @Sendable (FaultPoint) -> Void

    public init(
        answer: @escaping @Sendable ([String]) -> CommandRunner.Result = { _ in
            CommandRunner.Result(status: 0, output: "")
        },
        answers: @escaping @Sendable (String, UInt16) -> Bool = { _, _ in true },
        onReach: @escaping @Sendable (FaultPoint) -> Void = { _ in }
    ) {
        self.answer = answer
        self.answers = answers
        self.onReach = onReach
    }

    /// Every call so far, in order.
    public var events: [Event] { state.withLock { $0.events } }

    /// What the file holds now: the in-memory copy once apply wrote it, the disk's before.
    public func bytes(of path: String) -> [UInt8]? {
        if let kept = state.withLock({ $0.files[path] }) { return kept }
        return FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    func log(_ event: Event) { state.withLock { $0.events.append(event) } }

    public func read(_ path: String, rule: WriteRule) throws(ContainedWriteError) -> [UInt8]? { bytes(of: path) }

    public func destination(of path: String, rule: WriteRule) throws(ContainedWriteError) -> ContainedFile.Destination {
        ContainedFile.Destination(path: path, allowed: true)
    }

    public func write(
        _ bytes: [UInt8], to path: String, rule: WriteRule, expected: [UInt8],
        beforeRename: @escaping @Sendable () -> Void
    ) throws(ContainedWriteError) -> WrittenFile {
        beforeRename()
        guard self.bytes(of: path) == expected else {
            throw ContainedWriteError(path: path, reason: .changed("it changed since the plan read it"))
        }
        state.withLock {
            $0.files[path] = bytes
            $0.events.append(.write(path))
        }
        return WrittenFile(path: path)
    }

    public func restore(_ bytes: [UInt8], over file: WrittenFile, expected: [UInt8]) throws(ContainedWriteError) {
        guard self.bytes(of: file.path) == expected else {
            throw ContainedWriteError(path: file.path, reason: .changed("it changed since the plan read it"))
        }
        state.withLock {
            $0.files[file.path] = bytes
            $0.events.append(.restore(file.path))
        }
    }

    public func run(_ argv: [String], timeout: Double) throws(ReconcileError) -> CommandRunner.Result {
        log(.run(argv))
        let result = answer(argv)
        // A reload that succeeds replaces the workers.
        if result.status == 0, argv.contains("reload") { state.withLock { $0.workerGeneration += 1 } }
        return result
    }

    public func workers(of master: NginxMaster) -> Set<Int32> { [state.withLock { $0.workerGeneration }] }

    public func waitForNewWorkers(of master: NginxMaster, replacing old: Set<Int32>, timeout: Double) -> Bool {
        !old.contains(state.withLock { $0.workerGeneration })
    }

    public func connects(address: String, port: UInt16, within seconds: Double) -> Bool {
        log(.connect(address, port))
        return answers(address, port)
    }

    public func pause(_ seconds: Double) {}

    public func now() -> Date { Date() }

    public func reach(_ point: FaultPoint) {
        log(.reached(point))
        onReach(point)
    }
}

/// A DNS provider that logs each write in a ``RecordingHost`` before handing it to the real
/// provider it wraps (or failing it, when told to).
public struct RecordingDNSProvider: DNSProvider {
    public let wrapped: any DNSProvider
    public let host: RecordingHost
    /// When set, every write fails with this error instead of reaching the wrapped provider.
    public let failure: ReconcileError?

    public init(wrapping wrapped: any DNSProvider, host: RecordingHost, failure: ReconcileError? = nil) {
        self.wrapped = wrapped
        self.host = host
        self.failure = failure
    }

    public func observe(zones: [DNSName], names: [DNSName]) async throws(ReconcileError) -> DNSObservation {
        try await wrapped.observe(zones: zones, names: names)
    }

    public func apply(zone: DNSName, changes: [RecordSetChange], observed: ZoneSnapshot?) async throws(ReconcileError) {
        host.log(.dns(zone: zone.description, changes: changes.count))
        if let failure { throw failure }
        try await wrapped.apply(zone: zone, changes: changes, observed: observed)
    }

    public var readOnlyReason: String? { wrapped.readOnlyReason }
    public var summary: String { wrapped.summary }
    public var reloadsAfterWriting: Bool { wrapped.reloadsAfterWriting }
    public func reload(zone: DNSName) throws(ReconcileError) { try wrapped.reload(zone: zone) }
}
