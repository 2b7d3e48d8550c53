/// Which server block answers a request, by nginx's rules, or why that cannot be said.
public enum NginxSelection: Sendable, Hashable {
    /// How the answering block was chosen.
    public enum Reason: String, Sendable, Hashable {
        case exactName
        case leadingWildcard
        case trailingWildcard
        case regex
        /// No name matched; the block is the socket's `default_server`.
        case defaultServer
        /// No name matched and no block is `default_server`: the first block on the socket.
        case firstBlockOnSocket
    }

    /// Block `block` (index in ``NginxConfigTree/serverBlocks``) answers.
    case answered(block: Int, reason: Reason)
    /// No block listens on that family, address and port: the connection is refused.
    case nothingListens
    /// nginx answers `400 Bad Request` before choosing by name: the Host is not one it
    /// accepts (empty, `..`, `/`, control bytes); the text says why.
    case badRequest(String)
    /// The configuration alone does not decide it (a regex the engine cannot evaluate, a
    /// listen on a host name, `$hostname` without the machine's name); the text says which.
    case undecidable(String)

    /// The answering block, if one was determined.
    public var block: Int? {
        if case .answered(let block, _) = self { return block }
        return nil
    }
}
