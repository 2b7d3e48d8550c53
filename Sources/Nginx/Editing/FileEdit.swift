/// A change to one configuration file, as a value: the bytes before and after, and what
/// was inserted or removed where. Nothing is written; the caller decides how (atomically).
public struct FileEdit: Sendable, Hashable {
    /// The file's path, as in ``NginxConfigFile/path``.
    public let path: String
    /// The file's bytes as parsed (the caller checks the disk still holds them).
    public let originalBytes: [UInt8]
    /// The file's bytes after the edit. Every byte outside the edit is unchanged.
    public let newBytes: [UInt8]
    /// 1-based line of the first inserted line (in ``newBytes``) or of the removed
    /// directive (in ``originalBytes``). ``insertedLines`` has every inserted line's number.
    public let line: Int
    /// The inserted lines without indentation or line endings, in file order, joined by `\n`:
    /// `listen [::]:443 ssl; # managed by reconcile`. Empty for a removal.
    public let insertedText: String
    /// The removed directive's text, empty for an insertion.
    public let removedText: String
    /// Every inserted line with its 1-based line number in ``newBytes``.
    public let insertedLines: [InsertedLine]

    /// One line an edit inserted.
    public struct InsertedLine: Sendable, Hashable {
        /// 1-based line number in ``FileEdit/newBytes``.
        public let line: Int
        /// The line without indentation or line ending.
        public let text: String
    }

    init(
        path: String, originalBytes: [UInt8], newBytes: [UInt8], line: Int, insertedText: String, removedText: String,
        insertedLines: [InsertedLine] = []
    ) {
        self.path = path
        self.originalBytes = originalBytes
        self.newBytes = newBytes
        self.line = line
        self.insertedText = insertedText
        self.removedText = removedText
        self.insertedLines = insertedLines
    }
}
