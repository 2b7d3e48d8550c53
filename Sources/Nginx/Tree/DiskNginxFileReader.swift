import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads configuration files from the local file system.
public struct DiskNginxFileReader: NginxFileReader {
    /// A reader of the local file system.
    public init() {}

    /// Opens without blocking (a FIFO must not wait for a writer) and checks the opened
    /// descriptor, not the path, so nothing can be swapped in between the check and the read.
    public func readFile(atPath path: String, maxBytes: Int) throws(NginxFileReadError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw .notFound }
            throw .other(String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .other(String(cString: strerror(errno))) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .isDirectory
        case S_IFIFO: throw .notRegularFile(kind: "a FIFO")
        case S_IFCHR: throw .notRegularFile(kind: "a character device")
        case S_IFBLK: throw .notRegularFile(kind: "a block device")
        case S_IFSOCK: throw .notRegularFile(kind: "a socket")
        default: throw .notRegularFile(kind: "a special file")
        }
        if let kind = Self.pseudoFileSystem(info) { throw .notRegularFile(kind: "a file of \(kind)") }
        let size = max(Int(info.st_size), 0)
        if size > maxBytes { throw .tooLarge(limit: maxBytes) }
        // One byte more than the size, so the common case ends with one read of 0 bytes;
        // a file that grows meanwhile still stops at the limit.
        var output = [UInt8](repeating: 0, count: size + 1)
        var filled = 0
        while true {
            if filled == output.count {
                guard output.count <= maxBytes else { throw .tooLarge(limit: maxBytes) }
                output.append(contentsOf: repeatElement(0, count: min(output.count, maxBytes + 1 - output.count)))
            }
            let result = output.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return read(descriptor, base + filled, buffer.count - filled)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .other(String(cString: strerror(errno)))
            }
            if result == 0 { break }
            filled += result
        }
        output.removeLast(output.count - filled)
        return output
    }

    /// `/proc` or `/sys` when the file lies on the kernel's pseudo file system mounted there
    /// (same device as the mount point), whose "regular" files have no fixed size or content.
    private static func pseudoFileSystem(_ info: stat) -> String? {
        for mountPoint in ["/proc", "/sys"] {
            var mount = stat()
            if stat(mountPoint, &mount) == 0, mount.st_dev == info.st_dev { return mountPoint }
        }
        return nil
    }

    public func directoryEntries(atPath path: String) -> [String]? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue
        else { return nil }
        return try? FileManager.default.contentsOfDirectory(atPath: path)
    }
}
