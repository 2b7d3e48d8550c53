#if canImport(Glibc)
    import Glibc
#endif

/// The one way a file is read whole (desired state, nginx tree, the contained read before a
/// write): opened without blocking (a FIFO must not wait for a writer) and never as a
/// controlling terminal, judged on the opened descriptor, not the path (nothing can be swapped
/// in between), only a regular file that is not on `/proc` or `/sys` (whose "regular" files
/// have no fixed size or content), and never more than `maxBytes`.
public enum RegularFileReader {
    /// Why a file was not read.
    public enum Failure: Error, Sendable, Equatable {
        /// Nothing at the path (or a path component is not a directory).
        case notFound
        /// What is there instead: `a directory`, `a FIFO`, `a character device`, `a block
        /// device`, `a socket`, `a special file`, `a file of /proc`.
        case notRegular(kind: String)
        /// Larger than the limit (checked on the size, and again while reading, so a file that
        /// grows stops there too).
        case tooLarge(limit: Int)
        /// The system refused, with its errno.
        case system(operation: String, errno: Int32)

        /// The system's words for a `.system` failure's errno.
        public var systemReason: String? {
            guard case .system(_, let code) = self else { return nil }
            return String(cString: strerror(code))
        }
    }

    static let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY

    /// The file at `path`.
    public static func read(atPath path: String, maxBytes: Int = .max) throws(Failure) -> [UInt8] {
        let descriptor = open(path, flags)
        guard descriptor >= 0 else { throw openFailure(errno) }
        defer { close(descriptor) }
        return try read(descriptor: descriptor, maxBytes: maxBytes)
    }

    /// The file `name` in the directory open at `directory`, a symlink not followed.
    static func read(name: String, in directory: Int32, maxBytes: Int = .max) throws(Failure) -> [UInt8] {
        let descriptor = openat(directory, name, flags | O_NOFOLLOW)
        guard descriptor >= 0 else {
            throw errno == ELOOP ? .notRegular(kind: "a symlink") : openFailure(errno)
        }
        defer { close(descriptor) }
        return try read(descriptor: descriptor, maxBytes: maxBytes)
    }

    private static func openFailure(_ code: Int32) -> Failure {
        code == ENOENT || code == ENOTDIR ? .notFound : .system(operation: "open", errno: code)
    }

    /// The regular file open at `descriptor`, whole.
    static func read(descriptor: Int32, maxBytes: Int) throws(Failure) -> [UInt8] {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .system(operation: "stat", errno: errno) }
        if let kind = kind(info) { throw .notRegular(kind: kind) }
        let size = max(Int(info.st_size), 0)
        if size > maxBytes { throw .tooLarge(limit: maxBytes) }
        // One byte more than the size, so the common case ends with one read of 0 bytes; a file
        // that grows meanwhile still stops at the limit.
        var output = [UInt8](repeating: 0, count: size + 1)
        var filled = 0
        while true {
            if filled == output.count {
                guard output.count <= maxBytes else { throw .tooLarge(limit: maxBytes) }
                output.append(contentsOf: repeatElement(0, count: min(output.count, maxBytes - output.count + 1)))
            }
            let result = output.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.read(descriptor, base + filled, buffer.count - filled)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "read", errno: errno)
            }
            if result == 0 { break }
            filled += result
        }
        output.removeLast(output.count - filled)
        return output
    }

    /// What the file is when it is not a regular file of a real file system, else nil.
    private static func kind(_ info: stat) -> String? {
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
        for mountPoint in ["/proc", "/sys"] {
            var mount = stat()
            if stat(mountPoint, &mount) == 0, mount.st_dev == info.st_dev { return "a file of \(mountPoint)" }
        }
        return nil
    }
}
