import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Replaces a file so that a reader (or a crash) sees either the old bytes or the new, never a
/// mix: a temporary file in the same directory, fsync, the old file's owner and mode, rename,
/// fsync of the directory.
enum ZoneFileAtomicWriter {
    static func write(_ bytes: [UInt8], to path: String) throws(ZoneFileError) {
        func failure(_ message: String) -> ZoneFileError {
            ZoneFileError(path: path, reason: .writeFailed(message))
        }
        // Write through a symlink to its target rather than replacing the link by a file.
        let target = resolvedTarget(of: path)
        let directory = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        var existing = stat()
        let exists = stat(target, &existing) == 0

        var template = Array("\(directory.isEmpty ? "." : directory)/.\(name).reconcile-XXXXXX".utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else {
            throw failure("cannot create a temporary file in \(directory): \(ZoneFileText.systemError())")
        }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }

        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard result > 0 else {
                let message = ZoneFileText.systemError()
                close(descriptor)
                throw failure("writing \(temporary): \(message)")
            }
            written += result
        }
        let mode = exists ? existing.st_mode & 0o7777 : 0o644
        guard fchmod(descriptor, mode) == 0 else {
            let message = ZoneFileText.systemError()
            close(descriptor)
            throw failure("setting mode \(String(mode, radix: 8)) on \(temporary): \(message)")
        }
        if exists && (existing.st_uid != geteuid() || existing.st_gid != getegid()) {
            guard fchown(descriptor, existing.st_uid, existing.st_gid) == 0 else {
                let message = ZoneFileText.systemError()
                close(descriptor)
                throw failure(
                    "cannot keep owner \(existing.st_uid):\(existing.st_gid) of \(target): \(message)")
            }
        }
        guard fsync(descriptor) == 0 else {
            let message = ZoneFileText.systemError()
            close(descriptor)
            throw failure("fsync of \(temporary): \(message)")
        }
        close(descriptor)
        guard rename(temporary, target) == 0 else {
            throw failure("renaming \(temporary) to \(target): \(ZoneFileText.systemError())")
        }
        renamed = true
        let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY)
        if directoryDescriptor >= 0 {
            // The rename is durable only once the directory is synced.
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    static func resolvedTarget(of path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
