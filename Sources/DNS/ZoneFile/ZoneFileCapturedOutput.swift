import Foundation

/// A child's output, kept up to a limit; shared between the reading thread and the caller.
final class ZoneFileCapturedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var kept = Data()
    private var truncated = false
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func append(_ chunk: Data) {
        lock.withLock {
            let room = max(0, limit - kept.count)
            kept.append(chunk.prefix(room))
            if chunk.count > room { truncated = true }
        }
    }

    /// The kept output, trimmed, with a note when some was dropped.
    var text: String {
        lock.withLock {
            let body = String(decoding: kept, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return truncated ? body + " [output truncated]" : body
        }
    }
}
