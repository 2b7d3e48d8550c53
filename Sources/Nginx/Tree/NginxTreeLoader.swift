/// Walks a configuration from the main file through its includes, in nginx's reading order,
/// collecting files and `http` server blocks.
///
/// Not generic over the reader: called from another module, a generic walk ran unspecialized
/// (its stack of frames through metadata lookups and witness tables, a fifth of the load).
/// The reader is asked once per file, where an existential costs nothing that shows.
struct NginxTreeLoader {
    let reader: any NginxFileReader
    let prefix: String
    let limits: NginxLimits
    private var bytesRead = 0
    private(set) var files: [NginxConfigFile] = []
    private(set) var includes: [NginxInclude] = []
    private(set) var serverBlocks: [NginxServerBlock] = []
    private var fileIndexByPath: [String: Int] = [:]
    private var readingChain: [String] = []
    private var pendingNames: [[NginxServerName]] = []
    private var pendingListens: [[NginxListen]] = []
    private var pendingSources: [NginxDirectiveSource] = []
    /// `ssl on|off;` per block (nil: not stated), and at `http` level.
    private var pendingSSL: [(on: Bool, source: NginxDirectiveSource)?] = []
    private var httpSSL: (on: Bool, source: NginxDirectiveSource)?

    /// Which block the walk is in; only these matter to the model.
    private enum Context {
        case main
        case http
        case server(Int)
        case other
    }

    init(reader: any NginxFileReader, prefix: String, limits: NginxLimits = NginxLimits()) {
        self.reader = reader
        self.prefix = prefix
        self.limits = limits
    }

    mutating func loadMain(_ path: String) throws(NginxError) {
        let index = try loadFile(Self.normalize(path), includedAt: nil)
        readingChain = [files[index].path]
        try walk(fileIndex: index, children: files[index].topLevelDirectives, context: .main, depth: 0)
        serverBlocks.reserveCapacity(pendingSources.count)
        for position in pendingSources.indices {
            // Swap the pending arrays out rather than copy them: no per-element retain.
            var names: [NginxServerName] = []
            var listens: [NginxListen] = []
            swap(&names, &pendingNames[position])
            swap(&listens, &pendingListens[position])
            let ssl = pendingSSL[position] ?? httpSSL
            serverBlocks.append(
                NginxServerBlock(
                    index: position, source: pendingSources[position], serverNames: names, listens: listens,
                    legacySSL: ssl?.on == true ? ssl?.source : nil))
        }
    }

    /// Reads and parses `path` once; `literalInclude` is the include argument when it named
    /// the file without wildcards, so a missing file reads as a missing include.
    private mutating func loadFile(
        _ path: String, includedAt: NginxSourceLocation?, literalInclude: String? = nil
    ) throws(NginxError) -> Int {
        if let index = fileIndexByPath[path] { return index }
        let bytes: [UInt8]
        let remaining = limits.maxTreeBytes - bytesRead
        do {
            bytes = try reader.readFile(atPath: path, maxBytes: min(limits.maxFileBytes, remaining))
        } catch {
            switch error {
            case .notFound:
                if let literalInclude, let includedAt {
                    throw .includeNotFound(pattern: literalInclude, resolvedPath: path, at: includedAt)
                }
            case .tooLarge:
                if remaining < limits.maxFileBytes {
                    throw .treeTooLarge(path: path, limit: limits.maxTreeBytes, includedAt: includedAt)
                }
                throw .fileTooLarge(path: path, limit: limits.maxFileBytes, includedAt: includedAt)
            default:
                break
            }
            throw .fileNotReadable(path: path, reason: error.description, includedAt: includedAt)
        }
        bytesRead += bytes.count
        let file = try NginxConfigFile.parse(bytes, path: path, maxDepth: limits.maxDepth)
        files.append(file)
        fileIndexByPath[path] = files.count - 1
        return files.count - 1
    }

    private func source(_ fileIndex: Int, _ directiveIndex: Int) -> NginxDirectiveSource {
        let file = files[fileIndex]
        let directive = file.directives[directiveIndex]
        return NginxDirectiveSource(
            fileIndex: fileIndex, directiveIndex: directiveIndex, location: file.location(of: directive),
            byteRange: file.byteRange(of: directive), text: file.sourceText(of: directive))
    }

    /// Where the walk is: a block's (or a file's top-level) directives being read in order,
    /// or an include whose matched files are being read one after another. The walk keeps
    /// these on an explicit stack, never the call stack, so no input can overflow it; depth
    /// is bounded by ``NginxLimits/maxDepth`` all the same (blocks and includes).
    private enum Frame {
        case block(fileIndex: Int, children: [Int], position: Int, context: Context, depth: Int, popsChain: Bool)
        case include(PendingInclude)
    }

    private struct PendingInclude {
        let fileIndex: Int
        let directiveIndex: Int
        let at: NginxSourceLocation
        let literal: String?
        let paths: [String]
        var next = 0
        var included: [Int] = []
        let context: Context
        let depth: Int
    }

    private mutating func walk(fileIndex: Int, children: [Int], context: Context, depth: Int) throws(NginxError) {
        var stack: [Frame] = [
            .block(
                fileIndex: fileIndex, children: children, position: 0, context: context, depth: depth, popsChain: false)
        ]
        while let top = stack.last {
            switch top {
            case .block(let fileIndex, let children, let position, let context, let depth, let popsChain):
                guard position < children.count else {
                    stack.removeLast()
                    if popsChain { readingChain.removeLast() }
                    continue
                }
                stack[stack.count - 1] = .block(
                    fileIndex: fileIndex, children: children, position: position + 1, context: context, depth: depth,
                    popsChain: popsChain)
                if let next = try visit(
                    fileIndex: fileIndex, directiveIndex: children[position], context: context, depth: depth)
                {
                    stack.append(next)
                }
            case .include(var pending):
                guard pending.next < pending.paths.count else {
                    stack.removeLast()
                    includes.append(
                        NginxInclude(
                            fileIndex: pending.fileIndex, directiveIndex: pending.directiveIndex,
                            includedFiles: pending.included))
                    continue
                }
                let path = pending.paths[pending.next]
                pending.next += 1
                if readingChain.contains(path) {
                    throw .includeCycle(path: path, chain: readingChain, at: pending.at)
                }
                let index = try loadFile(path, includedAt: pending.at, literalInclude: pending.literal)
                pending.included.append(index)
                stack[stack.count - 1] = .include(pending)
                readingChain.append(path)
                stack.append(
                    .block(
                        fileIndex: index, children: files[index].topLevelDirectives, position: 0,
                        context: pending.context, depth: pending.depth, popsChain: true))
            }
        }
    }

    /// Models one directive of a block at `depth`; returns the frame to walk next when the
    /// directive opens a block that matters or is an include.
    private mutating func visit(fileIndex: Int, directiveIndex: Int, context: Context, depth: Int) throws(NginxError)
        -> Frame?
    {
        // Files are never changed once appended, so this copy stays valid while includes
        // append more.
        let file = files[fileIndex]
        let directive = file.directives[directiveIndex]
        let nameToken = file.tokens[directive.nameToken]
        if directive.hasBlock && depth >= limits.maxDepth {
            throw .nestingTooDeep(limit: limits.maxDepth, at: file.location(of: directive))
        }
        func block(_ context: Context) -> Frame {
            .block(
                fileIndex: fileIndex, children: file.children(of: directiveIndex), position: 0, context: context,
                depth: depth + 1, popsChain: false)
        }
        if file.tokenEquals(nameToken, "include") {
            if directive.hasBlock {
                throw .directiveNotTerminated(name: "include", at: file.location(of: directive))
            }
            guard directive.argumentTokens.count == 1 else {
                throw .invalidArgumentCount(name: "include", at: file.location(of: directive))
            }
            if depth >= limits.maxDepth {
                throw .nestingTooDeep(limit: limits.maxDepth, at: file.location(of: directive))
            }
            let argument = file.string(of: file.tokens[directive.argumentTokens.lowerBound])
            let pattern = IncludePattern(argument, prefix: prefix)
            let paths =
                pattern.hasWildcards
                ? pattern.expand(using: reader).map(Self.normalize) : [Self.normalize(pattern.resolved)]
            return .include(
                PendingInclude(
                    fileIndex: fileIndex, directiveIndex: directiveIndex, at: file.location(of: directive),
                    literal: pattern.hasWildcards ? nil : argument, paths: paths, context: context, depth: depth + 1))
        }
        switch context {
        case .main:
            if file.tokenEquals(nameToken, "http") {
                guard directive.hasBlock else {
                    throw .directiveHasNoOpeningBrace(name: "http", at: file.location(of: directive))
                }
                return block(.http)
            }
        case .http:
            if let on = sslSwitch(file, directive) {
                httpSSL = (on, source(fileIndex, directiveIndex))
                return nil
            }
            if file.tokenEquals(nameToken, "server") {
                guard directive.hasBlock else {
                    throw .directiveHasNoOpeningBrace(name: "server", at: file.location(of: directive))
                }
                pendingSources.append(source(fileIndex, directiveIndex))
                pendingNames.append([])
                pendingListens.append([])
                pendingSSL.append(nil)
                return block(.server(pendingSources.count - 1))
            }
        case .server(let block):
            if let on = sslSwitch(file, directive) {
                pendingSSL[block] = (on, source(fileIndex, directiveIndex))
                return nil
            }
            if file.tokenEquals(nameToken, "listen") {
                if directive.hasBlock {
                    throw .directiveNotTerminated(name: "listen", at: file.location(of: directive))
                }
                switch NginxListen.parse(
                    arguments: file.arguments(of: directive), source: source(fileIndex, directiveIndex))
                {
                case .success(let listen): pendingListens[block].append(listen)
                case .failure(let error): throw error
                }
                return nil
            }
            if file.tokenEquals(nameToken, "server_name") {
                if directive.hasBlock {
                    throw .directiveNotTerminated(name: "server_name", at: file.location(of: directive))
                }
                for token in directive.argumentTokens {
                    let text = file.string(of: file.tokens[token])
                    switch NginxServerName.classify(text, at: file.location(of: file.tokens[token])) {
                    case .success(let name): pendingNames[block].append(name)
                    case .failure(let error): throw error
                    }
                }
                return nil
            }
        case .other:
            break
        }
        if directive.hasBlock && !directive.hasLuaBody {
            return block(.other)
        }
        return nil
    }

    /// `true` for `ssl on;`, `false` for `ssl off;`, nil for any other directive.
    private func sslSwitch(_ file: NginxConfigFile, _ directive: NginxDirective) -> Bool? {
        guard !directive.hasBlock, file.tokenEquals(file.tokens[directive.nameToken], "ssl"),
            directive.argumentTokens.count == 1
        else { return nil }
        let value = file.string(of: file.tokens[directive.argumentTokens.lowerBound]).lowercased()
        return value == "on" ? true : value == "off" ? false : nil
    }

    /// Removes `.` components and resolves `..` lexically, so one file has one name.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if component == ".." && absolute { continue }
            parts.append(component)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
