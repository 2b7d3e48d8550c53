/// A child's combined output, kept up to a limit so a chatty command cannot exhaust memory.
struct ZoneFileCapturedOutput {
    private var kept: [UInt8] = []
    private var truncated = false
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    mutating func append(_ chunk: ArraySlice<UInt8>) {
        let room = max(0, limit - kept.count)
        kept += chunk.prefix(room)
        if chunk.count > room { truncated = true }
    }

    /// The kept output without surrounding blank lines, with a note when some was dropped.
    var text: String {
        var body = Substring(String(decoding: kept, as: UTF8.self))
        while let last = body.last, last.isWhitespace { body.removeLast() }
        while let first = body.first, first.isWhitespace { body.removeFirst() }
        return truncated ? body + " [output truncated]" : String(body)
    }
}
