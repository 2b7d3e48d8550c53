/// A byte replacement in a file: the unit in which several edits of one file combine.
struct Splice: Sendable, Hashable {
    let offset: Int
    let removed: Int
    let inserted: [UInt8]

    /// The smallest splice turning `old` into `new` (common prefix and suffix kept).
    init(from old: [UInt8], to new: [UInt8]) {
        var prefix = 0
        let limit = min(old.count, new.count)
        while prefix < limit && old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < limit - prefix && old[old.count - 1 - suffix] == new[new.count - 1 - suffix] { suffix += 1 }
        offset = prefix
        removed = old.count - prefix - suffix
        inserted = Array(new[prefix..<(new.count - suffix)])
    }

    var end: Int { offset + removed }

    /// Applies splices of one original; insertions at the same offset go in the given order.
    /// Returns nil when two splices overlap.
    static func apply(_ splices: [Splice], to original: [UInt8]) -> [UInt8]? {
        let sorted = splices.enumerated().sorted { ($0.element.offset, $0.offset) < ($1.element.offset, $1.offset) }
            .map(\.element)
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            if b.offset < a.end || (b.offset == a.offset && (a.removed > 0 || b.removed > 0)) { return nil }
        }
        var out: [UInt8] = []
        out.reserveCapacity(original.count + sorted.reduce(0) { $0 + $1.inserted.count })
        var cursor = 0
        for splice in sorted {
            out.append(contentsOf: original[cursor..<splice.offset])
            out.append(contentsOf: splice.inserted)
            cursor = splice.end
        }
        out.append(contentsOf: original[cursor...])
        return out
    }
}
