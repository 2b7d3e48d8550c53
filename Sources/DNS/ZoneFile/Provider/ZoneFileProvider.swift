import ContainedFiles
import Foundation

/// The `zonefile` DNS provider: one zone kept in an RFC 1035 master file on disk.
///
/// Reading and writing are the only I/O; parsing and editing are pure (``ZoneFile``). A write
/// replaces the file atomically (same directory, fsync, rename, owner and mode kept) and then
/// runs the optional reload command.
public struct ZoneFileProvider: Sendable {
    /// The zone file.
    public let path: String
    /// The zone's origin.
    public let origin: DNSName
    /// Run after each write, as argv without a shell (`["rndc", "reload", "example.social"]`);
    /// nil for none.
    public let reloadCommand: [String]?
    /// Seconds the reload command may take before it is killed and reported.
    public let reloadTimeout: Double
    /// Bytes of the reload command's output kept for error messages.
    public let reloadOutputLimit: Int
    /// Write through a symlink whose target lies outside the zone file's directory (refused by
    /// default, as for nginx files).
    public var allowSymlinksOutside = false

    /// The rule the file is written under (DESIGN §13): inside the directory the desired state
    /// names for it, symlinks followed only while they stay there.
    var writeRule: WriteRule {
        .tree(roots: [(path as NSString).deletingLastPathComponent], allowOutside: allowSymlinksOutside)
    }

    /// A provider for the zone `origin` kept in `path`; see the properties for the rest.
    public init(
        path: String, origin: DNSName, reloadCommand: [String]? = nil, reloadTimeout: Double = 30,
        reloadOutputLimit: Int = 16 * 1024
    ) {
        self.path = path
        self.origin = origin
        self.reloadCommand = reloadCommand
        self.reloadTimeout = reloadTimeout
        self.reloadOutputLimit = reloadOutputLimit
    }

    /// Reads and parses the zone file.
    /// The file is read as it is written: a symlink leading out of its directory is refused
    /// (its owner could otherwise make reconcile read any file and quote it in an error).
    public func load() throws(ZoneFileError) -> ZoneFile {
        let bytes: [UInt8]?
        do {
            bytes = try ContainedFile.read(path, rule: writeRule)
        } catch {
            if case .system(_, let code) = error.reason, code == EACCES || code == ENOENT {
                throw ZoneFileError(
                    path: path, reason: .readFailed(code == EACCES ? "permission denied" : "no such file"))
            }
            throw ZoneFileError(path: path, reason: .readFailed(error.description))
        }
        guard let bytes else { throw ZoneFileError(path: path, reason: .readFailed("no such file")) }
        return try ZoneFile.parse(bytes, path: path, origin: origin)
    }

    /// Replaces the file's contents atomically with `bytes` through ``ContainedFile``; with
    /// `expected`, only while the file still holds exactly those bytes (checked again right
    /// before the rename).
    @discardableResult
    public func write(_ bytes: [UInt8], expected: [UInt8]? = nil) throws(ZoneFileError) -> ContainedFile.WrittenFile {
        do {
            return try ContainedFile.write(bytes, to: path, rule: writeRule, options: .init(expected: expected))
        } catch {
            throw zoneFileError(error)
        }
    }

    func zoneFileError(_ error: ContainedWriteError) -> ZoneFileError {
        if case .changed = error.reason { return ZoneFileError(path: path, reason: .changedSinceRead) }
        return ZoneFileError(path: path, reason: .writeFailed(error.description))
    }

    /// Runs the reload command, if any; returns its (bounded) output.
    @discardableResult
    public func reload() throws(ZoneFileError) -> String {
        guard let reloadCommand else { return "" }
        return try ZoneFileReloadCommand(argv: reloadCommand, timeout: reloadTimeout, outputLimit: reloadOutputLimit)
            .run(path: path)
    }

    /// Reads the file, applies the change (see ``ZoneFile/edited(adding:deleting:now:)``),
    /// writes it and reloads. When `expectedDigest` (a ``ZoneFile/digest`` taken at plan time)
    /// is given and the file no longer has it (someone changed the file since), nothing is
    /// written. Returns the zone as written. `afterWrite` runs between the write and the reload.
    ///
    /// When the reload fails, the file gets its old bytes back (and the reload is tried once
    /// more, for a server that did load the new file): the file must not claim records the
    /// server does not publish, or the next plan would read it and see nothing left to do.
    @discardableResult
    public func apply(
        adding additions: [ResourceRecord], deleting deletions: [ResourceRecord], now: Date = Date(),
        expectedDigest: String? = nil, afterWrite: () -> Void = {}
    ) throws(ZoneFileError) -> ZoneFile {
        let current = try load()
        if let expectedDigest, expectedDigest != current.digest {
            throw ZoneFileError(path: path, reason: .changedSinceRead)
        }
        let output = try current.edited(adding: additions, deleting: deletions, now: now)
        let written = try ZoneFile.parse(output, path: path, origin: origin)
        let file = try write(output, expected: current.bytes)
        afterWrite()
        do {
            try reload()
        } catch {
            do {
                // Where the write landed, not the path resolved again.
                try ContainedFile.write(current.bytes, over: file, options: .init(expected: output))
            } catch let restoreError {
                throw ZoneFileError(
                    path: path,
                    reason: .reloadFailedNotRestored(
                        error.reason.description, restoreError: zoneFileError(restoreError).reason.description))
            }
            _ = try? reload()
            throw ZoneFileError(path: path, reason: .reloadFailedRestored(error.reason.description))
        }
        return written
    }
}
