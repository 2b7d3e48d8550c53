/// One change to a file's bytes: replace a range (empty for an insertion) with new bytes.
struct ZoneFileByteEdit {
    let range: Range<Int>
    let replacement: [UInt8]
    /// Among edits at the same offset, lower orders come first: added lines (0) go before an
    /// owner written into the next line (1), and both before a replaced or deleted range (2).
    let order: Int

    init(replacing range: Range<Int>, with replacement: [UInt8]) {
        self.range = range
        self.replacement = replacement
        self.order = 2
    }

    init(inserting bytes: [UInt8], at offset: Int, order: Int = 0) {
        self.range = offset..<offset
        self.replacement = bytes
        self.order = order
    }

    /// `bytes` with every edit applied; nil when two edits overlap.
    static func apply(_ edits: [ZoneFileByteEdit], to bytes: [UInt8]) -> [UInt8]? {
        let sorted = edits.sorted {
            ($0.range.lowerBound, $0.order) < ($1.range.lowerBound, $1.order)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + edits.reduce(0) { $0 + $1.replacement.count })
        var cursor = 0
        for edit in sorted {
            guard edit.range.lowerBound >= cursor else { return nil }
            out += bytes[cursor..<edit.range.lowerBound]
            out += edit.replacement
            cursor = edit.range.upperBound
        }
        out += bytes[cursor...]
        return out
    }
}
