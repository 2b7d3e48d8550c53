/// One token of a zone file entry: a word or a quoted string, and where it is.
struct ZoneFileToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case word
        case quoted
    }

    let kind: Kind
    /// The token's bytes in the file, without the quotes of a quoted string; escapes unresolved.
    let content: Range<Int>
    /// Offset of the token's first byte (the opening quote of a quoted string).
    let start: Int
    let line: Int
    let column: Int
}
