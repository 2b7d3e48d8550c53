/// The tokens of one entry (a directive or a record) as the lexer cut them out of the file.
struct ZoneFileEntryText: Sendable {
    let tokens: [ZoneFileToken]
    /// The entry's first line starts with a blank: the owner is the previous record's.
    let ownerOmitted: Bool
    /// Whole lines the entry spans, from the start of its first line to after its last newline.
    let lines: Range<Int>
}
