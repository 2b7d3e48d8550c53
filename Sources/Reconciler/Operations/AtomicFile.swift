import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Replaces a file so that a concurrent reader sees either the old bytes or the new, never a
/// torn file: write a temporary file in the same directory, fsync it, rename it over the
/// target, fsync the directory.
enum AtomicFile {
    static func replace(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary =
            (directory.isEmpty ? "." : directory) + "/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure(path, "create \(temporary)") }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes {
                write(fd, $0.baseAddress?.advanced(by: written), bytes.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                let error = failure(path, "write \(temporary)")
                close(fd)
                unlink(temporary)
                throw error
            }
            written += count
        }
        // The umask narrowed the mode given to open(); the file's mode is part of the contract.
        guard fchmod(fd, mode) == 0, fsync(fd) == 0 else {
            let error = failure(path, "fsync \(temporary)")
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = failure(path, "rename \(temporary)")
            unlink(temporary)
            throw error
        }
        let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    private static func failure(_ path: String, _ step: String) -> OperationsError {
        .cannotWrite(path: path, reason: "\(step): \(String(cString: strerror(errno)))")
    }
}
