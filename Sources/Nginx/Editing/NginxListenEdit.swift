/// One listen added or removed, as the bytes that change: `removing` bytes at `offset` of the
/// file as the tree read it give way to `inserting`. Every edit is a range of the file as read,
/// never of an edited copy, so the edits of one file combine by position whatever their kind
/// (``applied(_:to:)``): additions and removals of one plan, or any subset of them in order.
public struct NginxListenEdit: Sendable, Hashable {
    /// The file's path, as in ``NginxConfigFile/path``.
    public let path: String
    /// Byte offset in the file as read.
    public let offset: Int
    /// How many bytes from `offset` go (0 for an addition).
    public let removing: Int
    /// The bytes that go in at `offset` (empty for a removal): whole lines with the file's
    /// indentation and line endings, ending in ` # managed by reconcile`. Always ASCII: blanks,
    /// line endings and a directive the editor wrote.
    public let inserting: [UInt8]
    /// 1-based line of the added listen in the file after every addition of its batch, or of the
    /// removed listen in the file as read.
    public let line: Int
    /// The directive added or removed, without the marker comment: `listen [::]:443 ssl;`.
    public let directive: String

    public init(path: String, offset: Int, removing: Int, inserting: [UInt8], line: Int, directive: String) {
        self.path = path
        self.offset = offset
        self.removing = removing
        self.inserting = inserting
        self.line = line
        self.directive = directive
    }

    /// The byte after the removed range.
    public var end: Int { offset + removing }

    /// `bytes` (the file as read) with `edits` made, in one pass. Insertions at one offset go in
    /// the order given, before a removal that starts there. Nil when an edit lies outside the
    /// file or two edits overlap (a removal reaching into another, or an insertion inside a
    /// removed range): those cannot be made from the file as read.
    public static func applied(_ edits: [NginxListenEdit], to bytes: [UInt8]) -> [UInt8]? {
        let sorted = edits.enumerated().sorted {
            ($0.element.offset, $0.element.removing, $0.offset) < ($1.element.offset, $1.element.removing, $1.offset)
        }.map(\.element)
        var cursor = 0
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + sorted.reduce(0) { $0 + $1.inserting.count })
        for edit in sorted {
            guard edit.offset >= cursor, edit.removing >= 0, edit.end <= bytes.count else { return nil }
            out.append(contentsOf: bytes[cursor..<edit.offset])
            out.append(contentsOf: edit.inserting)
            cursor = edit.end
        }
        out.append(contentsOf: bytes[cursor...])
        return out
    }

    /// Whether the two edits cannot both be made from the file as read (see ``applied(_:to:)``).
    public func overlaps(_ other: NginxListenEdit) -> Bool {
        guard path == other.path else { return false }
        let (first, second) = (offset, removing) <= (other.offset, other.removing) ? (self, other) : (other, self)
        return second.offset < first.end
    }
}
