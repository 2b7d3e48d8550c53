import ContainedFiles
import Foundation

/// The file access the loader needs, so tests can use an in-memory tree.
public protocol DesiredStateFileSystem: Sendable {
    /// Relative paths of every `*.yaml` / `*.yml` file under `directory`, recursively, sorted
    /// bytewise; hidden files and directories (`.git`) are skipped.
    func yamlFiles(in directory: String) throws -> [String]
    /// The bytes of the regular file at `path`; more than `maxBytes` of them is an error.
    func contents(of path: String, maxBytes: Int) throws -> [UInt8]
    /// The current directory, used to make relative paths absolute.
    var currentDirectory: String { get }
}

/// Reading failures, as a sentence.
public struct FileSystemError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The real disk.
public struct DiskFileSystem: DesiredStateFileSystem {
    public init() {}

    public var currentDirectory: String { FileManager.default.currentDirectoryPath }

    public func yamlFiles(in directory: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw FileSystemError("no such directory")
        }
        guard isDirectory.boolValue else { throw FileSystemError("not a directory") }
        var found: [String] = []
        var visited: Set<[UInt64]> = []
        try walk(directory, relative: "", into: &found, visited: &visited)
        return found.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Deepest directory nesting walked (a symlink loop or a hostile tree ends here).
    static let maxDirectoryDepth = 64

    private func walk(
        _ root: String, relative: String, into found: inout [String], visited: inout Set<[UInt64]>, depth: Int = 0
    ) throws {
        let here = relative.isEmpty ? root : root + "/" + relative
        // Each directory once, by device and inode: a symlink back up the tree is no loop.
        var info = stat()
        if stat(here, &info) == 0, !visited.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted { return }
        guard depth < Self.maxDirectoryDepth else {
            throw FileSystemError("\(here): directories nested more than \(Self.maxDirectoryDepth) levels deep")
        }
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: here)
        } catch {
            throw FileSystemError("cannot list directory \(here): \(Self.reason(error))")
        }
        for entry in entries where !entry.hasPrefix(".") {
            let rel = relative.isEmpty ? entry : relative + "/" + entry
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDirectory)
            if exists && isDirectory.boolValue {
                try walk(root, relative: rel, into: &found, visited: &visited, depth: depth + 1)
            } else if entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
                found.append(rel)
            }
        }
    }

    /// Through the one reader of whole files (``RegularFileReader``): only regular files, and
    /// never more than `maxBytes`.
    public func contents(of path: String, maxBytes: Int) throws -> [UInt8] {
        do {
            return try RegularFileReader.read(atPath: path, maxBytes: maxBytes)
        } catch {
            switch error {
            case .notFound:
                throw FileSystemError("cannot read: No such file or directory")
            case .notRegular:
                throw FileSystemError("cannot read: not a regular file (a FIFO, device or socket is never read)")
            case .tooLarge:
                throw FileSystemError(
                    "cannot read: larger than \(maxBytes) bytes, the limit for one desired-state file")
            case .system:
                throw FileSystemError("cannot read: \(error.systemReason ?? "")")
            }
        }
    }

    static func reason(_ error: Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}

/// A tree held in memory, for tests: paths map to contents.
public struct InMemoryFileSystem: DesiredStateFileSystem {
    public var files: [String: [UInt8]]
    public var currentDirectory: String

    public init(files: [String: String], currentDirectory: String = "/work") {
        self.files = files.mapValues { Array($0.utf8) }
        self.currentDirectory = currentDirectory
    }

    public func yamlFiles(in directory: String) throws -> [String] {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        let found = files.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            .filter { path in
                !path.split(separator: "/").contains { $0.hasPrefix(".") }
                    && (path.hasSuffix(".yaml") || path.hasSuffix(".yml"))
            }
        guard !found.isEmpty || files.keys.contains(where: { $0.hasPrefix(prefix) }) || directory == "." else {
            throw FileSystemError("no such directory")
        }
        return found.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    public func contents(of path: String, maxBytes: Int) throws -> [UInt8] {
        guard let bytes = files[path] else { throw FileSystemError("cannot read: No such file or directory") }
        if bytes.count > maxBytes {
            throw FileSystemError("cannot read: larger than \(maxBytes) bytes, the limit for one desired-state file")
        }
        return bytes
    }

    private func normalize(_ path: String) -> String {
        let prefix = currentDirectory + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
