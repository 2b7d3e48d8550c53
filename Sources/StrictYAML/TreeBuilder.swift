import CYAML

/// Builds the node tree from libyaml's event stream, enforcing the strict rules.
struct TreeBuilder {
    /// An open mapping or sequence. Mutated in place on the stack (never popped and pushed
    /// back), so adding an entry is O(1) and a 10 MB file loads in linear time.
    private struct Container {
        let isMapping: Bool
        let mark: YAMLMark
        let anchor: String?
        var pairs: [YAMLPair] = []
        var items: [YAMLNode] = []
        var pendingKey: YAMLNode?
        /// Keys by text, built only once a mapping has more than ``smallMapping`` keys: the
        /// many small ones (`{families, ports}`) are checked by a scan, with no hashing.
        var seen: [String: YAMLMark] = [:]
        /// Nodes inside, counting alias expansions, to size anchored subtrees.
        var size = 0
    }

    private static let smallMapping = 8

    let file: String
    let limits: YAMLParser.Limits
    private var stack: [Container] = []
    private(set) var root: YAMLNode?
    private var documents = 0
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var aliasExpansion = 0

    init(file: String, limits: YAMLParser.Limits) {
        self.file = file
        self.limits = limits
    }

    private func mark(_ m: yaml_mark_t) -> YAMLMark {
        YAMLMark(file: file, line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }

    private func checkTag(_ tag: UnsafeMutablePointer<yaml_char_t>?, at m: YAMLMark) throws(YAMLError) {
        guard let tag = Self.string(tag) else { return }
        if tag == "tag:yaml.org,2002:str" { return }
        let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
        throw YAMLError("explicit tag \(shown) is not supported (write the value plainly)", at: m)
    }

    /// Handles one event; returns true at the end of the stream.
    mutating func handle(_ event: yaml_event_t) throws(YAMLError) -> Bool {
        let m = mark(event.start_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT:
            return false
        case YAML_STREAM_END_EVENT:
            return true
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError("a second YAML document (---) in one file is not supported", at: m)
            }
            return false
        case YAML_DOCUMENT_END_EVENT:
            return false
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            try checkTag(scalar.tag, at: m)
            let value: String
            if let pointer = scalar.value {
                value = String(
                    decoding: UnsafeBufferPointer(start: pointer, count: Int(scalar.length)), as: UTF8.self)
            } else {
                value = ""
            }
            let style: YAMLScalar.Style
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let node = YAMLNode(.scalar(YAMLScalar(value: value, style: style)), at: m)
            try add(node, size: 1, anchor: Self.string(scalar.anchor))
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw YAMLError("alias *\(name) refers to no anchor defined before it", at: m)
            }
            aliasExpansion += target.size
            if aliasExpansion > limits.maxAliasExpansion {
                throw YAMLError(
                    "aliases expand to more than \(limits.maxAliasExpansion) nodes (an alias bomb?)", at: m)
            }
            try add(target.node, size: target.size, anchor: nil)
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            try checkTag(start.tag, at: m)
            try push(Container(isMapping: false, mark: m, anchor: Self.string(start.anchor)))
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            try checkTag(start.tag, at: m)
            try push(Container(isMapping: true, mark: m, anchor: Self.string(start.anchor)))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let done = stack.popLast() else { return false }
            let node = YAMLNode(done.isMapping ? .mapping(done.pairs) : .sequence(done.items), at: done.mark)
            try add(node, size: done.size + 1, anchor: done.anchor)
        default:
            return false
        }
        return false
    }

    private mutating func push(_ container: Container) throws(YAMLError) {
        if let top = stack.last, top.isMapping, top.pendingKey == nil {
            throw YAMLError("a mapping key must be a plain or quoted string, not a list or mapping", at: container.mark)
        }
        guard stack.count < limits.maxDepth else {
            throw YAMLError("nesting deeper than \(limits.maxDepth) levels", at: container.mark)
        }
        stack.append(container)
    }

    private mutating func add(_ node: YAMLNode, size: Int, anchor: String?) throws(YAMLError) {
        if let anchor { anchors[anchor] = (node, size) }
        let top = stack.count - 1
        guard top >= 0 else {
            root = node
            return
        }
        stack[top].size += size
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return
        }
        if let key = stack[top].pendingKey {
            stack[top].pairs.append(YAMLPair(key: key, value: node))
            stack[top].pendingKey = nil
            return
        }
        guard let scalar = node.scalar else {
            throw YAMLError("a mapping key must be a plain or quoted string, not a list or mapping", at: node.mark)
        }
        if scalar.style == .plain && scalar.value == "<<" {
            throw YAMLError("merge keys (<<) are not supported: write the keys out", at: node.mark)
        }
        let earlier: YAMLMark?
        if stack[top].pairs.count < Self.smallMapping {
            earlier = stack[top].pairs.first { $0.key.scalar?.value == scalar.value }?.key.mark
        } else {
            if stack[top].seen.isEmpty {
                for pair in stack[top].pairs { stack[top].seen[pair.keyText] = pair.key.mark }
            }
            earlier = stack[top].seen.updateValue(node.mark, forKey: scalar.value)
        }
        if let first = earlier {
            throw YAMLError(
                "duplicate key \(scalar.quotedForMessage) (first defined at line \(first.line), column \(first.column))",
                at: node.mark)
        }
        stack[top].pendingKey = node
    }
}
