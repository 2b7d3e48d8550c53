import ContainedFiles
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

    /// Through the one reader of whole files (``RegularFileReader``): opened without blocking
    /// (a FIFO must not wait for a writer), judged on the opened descriptor, not the path, so
    /// nothing can be swapped in between the check and the read.
    public func readFile(atPath path: String, maxBytes: Int) throws(NginxFileReadError) -> [UInt8] {
        do {
            return try RegularFileReader.read(atPath: path, maxBytes: maxBytes)
        } catch {
            switch error {
            case .notFound: throw .notFound
            case .notRegular("a directory"): throw .isDirectory
            case .notRegular(let kind): throw .notRegularFile(kind: kind)
            case .tooLarge(let limit): throw .tooLarge(limit: limit)
            case .system: throw .other(error.systemReason ?? "")
            }
        }
    }

    public func directoryEntries(atPath path: String) -> [String]? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue
        else { return nil }
        return try? FileManager.default.contentsOfDirectory(atPath: path)
    }
}
