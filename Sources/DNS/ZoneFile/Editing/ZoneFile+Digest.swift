import Digests

extension ZoneFile {
    /// SHA-256 of the file's bytes in lowercase hex: the precondition a plan records, so that
    /// applying it to a file that changed since is refused
    /// (``ZoneFileProvider/apply(adding:deleting:now:expectedDigest:)``).
    public var digest: String {
        HexDigest.sha256(bytes)
    }
}
