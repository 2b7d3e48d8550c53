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

    public func readFile(atPath path: String) throws(NginxFileReadError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw .notFound }
            throw .other(String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .other(String(cString: strerror(errno))) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory }
        var output: [UInt8] = []
        var capacity = max(Int(info.st_size), 0) + 1
        while true {
            output.reserveCapacity(capacity)
            let oldCount = output.count
            var readError: Int32 = 0
            var readCount = 0
            output.append(contentsOf: repeatElement(0, count: capacity - oldCount))
            output.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                let result = read(descriptor, base + oldCount, capacity - oldCount)
                if result < 0 { readError = errno } else { readCount = result }
            }
            output.removeLast(capacity - oldCount - readCount)
            if readError != 0 { throw .other(String(cString: strerror(readError))) }
            if readCount == 0 { return output }
            if output.count == capacity { capacity *= 2 }
        }
    }

    public func directoryEntries(atPath path: String) -> [String]? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue
        else { return nil }
        return try? FileManager.default.contentsOfDirectory(atPath: path)
    }
}
