/// Everything that can go wrong reading, modelling or editing an nginx configuration.
///
/// Each case carries the offending value and where it is, and prints one sentence of the
/// form `file:line:column: message` that says what to fix.
public enum NginxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A byte nginx's tokenizer does not accept here (e.g. `"a"b` or `;;`).
    case unexpectedCharacter(String, at: NginxSourceLocation)
    /// The file ended inside a statement or a block; `expecting` is what nginx wanted.
    case unexpectedEndOfFile(expecting: String, at: NginxSourceLocation)
    /// A directive that never takes a block was followed by `{`: usually a missing `;`.
    case directiveNotTerminated(name: String, at: NginxSourceLocation)
    /// A directive that needs a block ended with `;`.
    case directiveHasNoOpeningBrace(name: String, at: NginxSourceLocation)
    /// A directive with the wrong number of arguments for what this engine reads.
    case invalidArgumentCount(name: String, at: NginxSourceLocation)
    /// Blocks (and includes) nested deeper than the limit (`nginx.limits.depth`).
    case nestingTooDeep(limit: Int, at: NginxSourceLocation)
    /// A file larger than the per-file limit (`nginx.limits.file-bytes`).
    case fileTooLarge(path: String, limit: Int, includedAt: NginxSourceLocation?)
    /// The files read so far add up to more than the limit (`nginx.limits.tree-bytes`).
    case treeTooLarge(path: String, limit: Int, includedAt: NginxSourceLocation?)
    /// A file could not be read; `includedAt` is the `include` that named it, if any.
    case fileNotReadable(path: String, reason: String, includedAt: NginxSourceLocation?)
    /// An `include` without wildcards names a file that does not exist.
    case includeNotFound(pattern: String, resolvedPath: String, at: NginxSourceLocation)
    /// An `include` names a file that is already being read further up the include chain.
    case includeCycle(path: String, chain: [String], at: NginxSourceLocation)
    /// A `listen` nginx would reject.
    case invalidListen(text: String, reason: String, at: NginxSourceLocation)
    /// A `server_name` nginx would reject.
    case invalidServerName(name: String, reason: String, at: NginxSourceLocation)
    /// Listens nginx refuses to start with: the same address:port twice in one block, two
    /// `default_server`s or two sets of socket options on one address:port. `message` is
    /// nginx's own wording; `earlier` is the listen this one collides with.
    case listenConflict(message: String, at: NginxSourceLocation, earlier: NginxSourceLocation)
    /// An edit named a server block index the tree does not have.
    case serverBlockNotFound(index: Int, count: Int)
    /// The edit would add a listen the block already has (nginx: "a duplicate listen").
    case duplicateListen(text: String, existing: NginxSourceLocation)
    /// A specific-address listen needs the host's address of the new family, none was given.
    case noHostAddress(family: AddressFamily, template: NginxSourceLocation)
    /// The listen to remove is not one the block states in its own file (it comes from an
    /// include shared with other blocks, or is nginx's implicit default).
    case listenNotEditable(text: String, reason: String, at: NginxSourceLocation)
    /// The block's file is included more than once, so editing it would change every copy.
    case sharedFile(path: String, includeCount: Int, at: NginxSourceLocation)
    /// Removing the block's only listen would make nginx fall back to `*:80`.
    case wouldLeaveImplicitListen(text: String, at: NginxSourceLocation)
    /// The block already accepts the family through a dual-stack `[::]:P ipv6only=off`.
    case servedByDualStackListen(text: String, at: NginxSourceLocation)
    /// The new listen would pass `nginx -t` but fail to bind at reload: a wildcard beside
    /// another block's separately bound specific address of the same port, or an IPv4
    /// listen beside a dual-stack `[::]:P ipv6only=off` (DESIGN §4).
    case wouldFailToBind(text: String, conflicting: String, at: NginxSourceLocation)

    public var description: String {
        switch self {
        case .unexpectedCharacter(let character, let at):
            return "\(at): unexpected \"\(character)\""
        case .unexpectedEndOfFile(let expecting, let at):
            return "\(at): unexpected end of file, expecting \(expecting)"
        case .directiveNotTerminated(let name, let at):
            return "\(at): directive \"\(name)\" is not terminated by \";\" (a missing semicolon?)"
        case .directiveHasNoOpeningBrace(let name, let at):
            return "\(at): directive \"\(name)\" has no opening \"{\""
        case .invalidArgumentCount(let name, let at):
            return "\(at): invalid number of arguments in \"\(name)\" directive"
        case .nestingTooDeep(let limit, let at):
            return
                "\(at): blocks and includes nested more than \(limit) levels deep (the limit is nginx.limits.depth in the desired state)"
        case .fileTooLarge(let path, let limit, let includedAt):
            let what =
                "is larger than \(limit) bytes, the limit for one file (nginx.limits.file-bytes in the desired state)"
            if let includedAt { return "\(includedAt): included file \(path) \(what)" }
            return "\(path): the file \(what)"
        case .treeTooLarge(let path, let limit, let includedAt):
            let what =
                "the configuration's files add up to more than \(limit) bytes (nginx.limits.tree-bytes in the desired state)"
            if let includedAt { return "\(includedAt): not reading included file \(path): \(what)" }
            return "\(path): not reading it: \(what)"
        case .fileNotReadable(let path, let reason, let includedAt):
            if let includedAt { return "\(includedAt): cannot read included file \(path): \(reason)" }
            return "\(path): cannot read: \(reason)"
        case .includeNotFound(let pattern, let resolvedPath, let at):
            return "\(at): included file \"\(pattern)\" not found (looked for \(resolvedPath))"
        case .includeCycle(let path, let chain, let at):
            return "\(at): include cycle: \((chain + [path]).joined(separator: " -> "))"
        case .invalidListen(let text, let reason, let at):
            return "\(at): invalid listen \"\(text)\": \(reason)"
        case .invalidServerName(let name, let reason, let at):
            return "\(at): invalid server name \"\(name)\": \(reason)"
        case .listenConflict(let message, let at, let earlier):
            return "\(at): \(message) (nginx refuses to start; the other one is at \(earlier))"
        case .serverBlockNotFound(let index, let count):
            return "no server block #\(index) (the configuration has \(count))"
        case .duplicateListen(let text, let existing):
            return
                "\(existing): the block already has this listen; not adding \"\(text)\" (nginx rejects a duplicate listen)"
        case .noHostAddress(let family, let template):
            return
                "\(template): this listen names a specific address; give the host's \(family.displayName) address to mirror it"
        case .listenNotEditable(let text, let reason, let at):
            return "\(at): cannot remove \"\(text)\": \(reason)"
        case .sharedFile(let path, let includeCount, let at):
            return
                "\(at): not editing \(path): it is included \(includeCount) times, so the edit would change every block read from it"
        case .wouldLeaveImplicitListen(let text, let at):
            return "\(at): not removing \"\(text)\": it is the block's only listen and nginx would fall back to *:80"
        case .wouldFailToBind(let text, let conflicting, let at):
            return
                "\(at): not adding \"\(text)\": with \"\(conflicting)\" here nginx -t passes but the reload fails with \"Address already in use\""
        case .servedByDualStackListen(let text, let at):
            return
                "\(at): \"\(text)\" already accepts IPv4 (ipv6only=off); an IPv4 listen on the same port would fail to bind"
        }
    }
}
