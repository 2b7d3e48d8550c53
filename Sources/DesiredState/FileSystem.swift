import Foundation

/// The file access the loader needs, so tests can use an in-memory tree.
public protocol DesiredStateFileSystem: Sendable {
    /// Relative paths of every `*.yaml` / `*.yml` file under `directory`, recursively, sorted
    /// bytewise; hidden files and directories (`.git`) are skipped.
    func yamlFiles(in directory: String) throws -> [String]
    /// The bytes of the file at `path`.
    func contents(of path: String) throws -> [UInt8]
    /// Whether a regular file exists at `path`.
    func isFile(_ path: String) -> Bool
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
        try walk(directory, relative: "", into: &found)
        return found.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    private func walk(_ root: String, relative: String, into found: inout [String]) throws {
        let here = relative.isEmpty ? root : root + "/" + relative
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
                try walk(root, relative: rel, into: &found)
            } else if entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
                found.append(rel)
            }
        }
    }

    public func contents(of path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError("cannot read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystemError("cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    public func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
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

    public func contents(of path: String) throws -> [UInt8] {
        guard let bytes = files[path] else { throw FileSystemError("cannot read: No such file or directory") }
        return bytes
    }

    public func isFile(_ path: String) -> Bool {
        files[normalize(path)] != nil || files[path] != nil
    }

    private func normalize(_ path: String) -> String {
        let prefix = currentDirectory + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
