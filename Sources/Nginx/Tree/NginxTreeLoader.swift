/// Walks a configuration from the main file through its includes, in nginx's reading order,
/// collecting files and `http` server blocks.
struct NginxTreeLoader<Reader: NginxFileReader> {
    let reader: Reader
    let prefix: String
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

    init(reader: Reader, prefix: String) {
        self.reader = reader
        self.prefix = prefix
    }

    mutating func loadMain(_ path: String) throws(NginxError) {
        let index = try loadFile(Self.normalize(path), includedAt: nil)
        readingChain = [files[index].path]
        try walk(fileIndex: index, children: files[index].topLevelDirectives, context: .main)
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
        do {
            bytes = try reader.readFile(atPath: path)
        } catch {
            if case .notFound = error, let literalInclude, let includedAt {
                throw .includeNotFound(pattern: literalInclude, resolvedPath: path, at: includedAt)
            }
            throw .fileNotReadable(path: path, reason: error.description, includedAt: includedAt)
        }
        let file = try NginxConfigFile.parse(bytes, path: path)
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

    private mutating func walk(fileIndex: Int, children: [Int], context: Context) throws(NginxError) {
        // Files are never changed once appended, so this copy stays valid while includes
        // append more.
        let file = files[fileIndex]
        for directiveIndex in children {
            let directive = file.directives[directiveIndex]
            let nameToken = file.tokens[directive.nameToken]
            if file.tokenEquals(nameToken, "include") {
                if directive.hasBlock {
                    throw .directiveNotTerminated(name: "include", at: file.location(of: directive))
                }
                guard directive.argumentTokens.count == 1 else {
                    throw .invalidArgumentCount(name: "include", at: file.location(of: directive))
                }
                try include(fileIndex: fileIndex, directiveIndex: directiveIndex, context: context)
                continue
            }
            switch context {
            case .main:
                if file.tokenEquals(nameToken, "http") {
                    guard directive.hasBlock else {
                        throw .directiveHasNoOpeningBrace(name: "http", at: file.location(of: directive))
                    }
                    try walk(fileIndex: fileIndex, children: file.children(of: directiveIndex), context: .http)
                    continue
                }
            case .http:
                if let on = sslSwitch(file, directive) {
                    httpSSL = (on, source(fileIndex, directiveIndex))
                    continue
                }
                if file.tokenEquals(nameToken, "server") {
                    guard directive.hasBlock else {
                        throw .directiveHasNoOpeningBrace(name: "server", at: file.location(of: directive))
                    }
                    pendingSources.append(source(fileIndex, directiveIndex))
                    pendingNames.append([])
                    pendingListens.append([])
                    pendingSSL.append(nil)
                    try walk(
                        fileIndex: fileIndex, children: file.children(of: directiveIndex),
                        context: .server(pendingSources.count - 1))
                    continue
                }
            case .server(let block):
                if let on = sslSwitch(file, directive) {
                    pendingSSL[block] = (on, source(fileIndex, directiveIndex))
                    continue
                }
                if file.tokenEquals(nameToken, "listen") {
                    if directive.hasBlock { throw .directiveNotTerminated(name: "listen", at: file.location(of: directive)) }
                    switch NginxListen.parse(arguments: file.arguments(of: directive), source: source(fileIndex, directiveIndex)) {
                    case .success(let listen): pendingListens[block].append(listen)
                    case .failure(let error): throw error
                    }
                    continue
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
                    continue
                }
            case .other:
                break
            }
            if directive.hasBlock && !directive.hasLuaBody {
                try walk(fileIndex: fileIndex, children: file.children(of: directiveIndex), context: .other)
            }
        }
    }

    private mutating func include(fileIndex: Int, directiveIndex: Int, context: Context) throws(NginxError) {
        let file = files[fileIndex]
        let directive = file.directives[directiveIndex]
        let at = file.location(of: directive)
        let argument = file.string(of: file.tokens[directive.argumentTokens.lowerBound])
        let pattern = IncludePattern(argument, prefix: prefix)
        let paths =
            pattern.hasWildcards
            ? pattern.expand(using: reader).map(Self.normalize) : [Self.normalize(pattern.resolved)]
        var included: [Int] = []
        for path in paths {
            if readingChain.contains(path) {
                throw .includeCycle(path: path, chain: readingChain, at: at)
            }
            let index = try loadFile(path, includedAt: at, literalInclude: pattern.hasWildcards ? nil : argument)
            included.append(index)
            readingChain.append(path)
            try walk(fileIndex: index, children: files[index].topLevelDirectives, context: context)
            readingChain.removeLast()
        }
        includes.append(NginxInclude(fileIndex: fileIndex, directiveIndex: directiveIndex, includedFiles: included))
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
