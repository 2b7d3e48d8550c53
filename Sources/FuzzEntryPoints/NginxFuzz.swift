import Nginx

/// Entry points for the nginx fuzzers (`Fuzz/`) and their regression tests. Each returns a
/// description of a broken invariant, or nil; a thrown ``NginxError`` is a correct outcome.
public enum NginxFuzz {
    /// Where the input sits in the in-memory tree.
    public static let mainConfig = "/etc/nginx/nginx.conf"

    /// Lexer and parser: a file that parses must render back to its exact bytes, with tokens
    /// in order inside the file; then the file as a whole tree (listens, server names) must
    /// load or throw.
    public static func parseViolation(in bytes: [UInt8]) -> String? {
        guard let file = try? NginxConfigFile.parse(bytes, path: mainConfig) else { return nil }
        if file.render() != bytes { return "render() does not give back the parsed bytes" }
        var cursor = 0
        for token in file.tokens {
            guard token.start >= cursor, token.start <= token.end, token.end <= bytes.count else {
                return "token \(token.start)..<\(token.end) is out of order or outside the file"
            }
            cursor = token.end
        }
        _ = try? NginxConfigTree.load(
            mainConfig: mainConfig, reader: InMemoryNginxFileReader(files: [mainConfig: bytes]))
        return nil
    }

    /// Editor: for the first server blocks, adding a listen of each family and removing each
    /// own listen must, when the editor accepts, change one contiguous run of bytes (an
    /// insertion, or a removal that holds the directive), keep every other byte, and give a
    /// tree that parses again with the listen added or gone.
    public static func editViolation(in bytes: [UInt8]) -> String? {
        let reader = InMemoryNginxFileReader(files: [mainConfig: bytes])
        guard let tree = try? NginxConfigTree.load(mainConfig: mainConfig, reader: reader) else { return nil }
        for blockIndex in tree.serverBlocks.indices.prefix(4) {
            let block = tree.serverBlocks[blockIndex]
            let port = block.listens.compactMap(\.port).first ?? 80
            for family in AddressFamily.allCases {
                guard
                    let edit = try? tree.addListen(
                        toBlock: blockIndex, family: family, port: port, hostAddresses: ["192.0.2.1", "2001:db8::1"])
                else { continue }
                if let broken = insertionViolation(edit) {
                    return "adding \(family) :\(port) to block #\(blockIndex): \(broken)"
                }
                if let broken = reparseViolation(tree, edit, blockIndex, expectedChange: 1) {
                    return "adding \(family) :\(port) to block #\(blockIndex): \(broken)"
                }
            }
            for listen in block.listens where listen.source != nil {
                guard let edit = try? tree.removeListen(listen, fromBlock: blockIndex), let source = listen.source
                else { continue }
                if let broken = removalViolation(edit, directive: source.byteRange) {
                    return "removing \(source.text) from block #\(blockIndex): \(broken)"
                }
                if let broken = reparseViolation(tree, edit, blockIndex, expectedChange: -1) {
                    return "removing \(source.text) from block #\(blockIndex): \(broken)"
                }
            }
        }
        return nil
    }

    /// The lengths of the longest common prefix and of the longest common suffix, each
    /// measured on its own (they overlap when the changed run sits among equal bytes).
    private static func commonEnds(_ old: [UInt8], _ new: [UInt8]) -> (prefix: Int, suffix: Int) {
        let prefix = zip(old, new).prefix { $0 == $1 }.count
        let suffix = zip(old.reversed(), new.reversed()).prefix { $0 == $1 }.count
        return (prefix, suffix)
    }

    private static func insertionViolation(_ edit: FileEdit) -> String? {
        let old = edit.originalBytes
        let new = edit.newBytes
        guard new.count > old.count else { return "an addition did not grow the file" }
        let ends = commonEnds(old, new)
        return ends.prefix + ends.suffix >= old.count ? nil : "bytes outside the inserted run changed"
    }

    private static func removalViolation(_ edit: FileEdit, directive: Range<Int>) -> String? {
        let old = edit.originalBytes
        let new = edit.newBytes
        guard new.count < old.count else { return "a removal did not shrink the file" }
        let ends = commonEnds(old, new)
        guard ends.prefix + ends.suffix >= new.count else { return "bytes outside the removed run changed" }
        // Every start the removed run could have (it may slide within equal bytes); one of
        // them must cover the directive.
        let removed = old.count - new.count
        let starts = (new.count - ends.suffix)...ends.prefix
        guard starts.contains(where: { $0 <= directive.lowerBound && directive.upperBound <= $0 + removed }) else {
            return "the removed bytes are not the directive's"
        }
        return nil
    }

    private static func reparseViolation(
        _ tree: NginxConfigTree, _ edit: FileEdit, _ blockIndex: Int, expectedChange: Int
    ) -> String? {
        let edited: NginxConfigTree
        do {
            edited = try tree.applying([edit])
        } catch {
            return "the edited file does not parse: \(error)"
        }
        guard edited.serverBlocks.count == tree.serverBlocks.count else { return "the number of server blocks changed" }
        let before = tree.serverBlocks[blockIndex].listens.count
        let after = edited.serverBlocks[blockIndex].listens.count
        // An addition to a block without listens also writes out its implicit `listen 80`.
        let allowed = expectedChange > 0 && before == 0 ? [1, 2] : [expectedChange]
        return allowed.contains(after - before) ? nil : "the block went from \(before) to \(after) listens"
    }
}
