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
        var keys = KeyTable()
        /// Nodes inside, counting alias expansions, to size anchored subtrees.
        var size = 0

        /// The earlier pair whose key is `text`, or nil after noting `text` as the key of the
        /// pair being added (``keys`` catches up with the pairs on first use).
        mutating func firstKey(_ text: String) -> YAMLPair? {
            let pairs = self.pairs
            if keys.isEmpty {
                for pair in pairs { _ = keys.insert(hash: pair.keyText.hashValue) { _ in false } }
            }
            return keys.insert(hash: text.hashValue) { pairs[$0].keyText == text }.map { pairs[$0] }
        }
    }

    private static let smallMapping = 8

    /// The keys of one large mapping, by text, for the duplicate check: open addressing over
    /// the indices of its pairs, with each key's hash kept, so that growing the table moves
    /// integers and never hashes or compares a key again. (A dictionary of keys rehashed
    /// every key at each doubling; the hash is still `String`'s seeded one, so crafted keys
    /// cannot make the check quadratic.)
    private struct KeyTable {
        /// Pair index + 1 per slot; 0 is empty. The count is a power of two, or zero.
        private var slots: [Int32] = []
        /// The hash of pair i's key.
        private var hashes: [Int] = []

        var isEmpty: Bool { hashes.isEmpty }

        /// Pair index of a key equal to the one hashed to `hash` (`isKey` says which are),
        /// or nil after recording the new key as pair `hashes.count`.
        mutating func insert(hash: Int, isKey: (Int) -> Bool) -> Int? {
            if (hashes.count + 1) * 4 > slots.count * 3 { grow() }
            let mask = slots.count - 1
            var slot = hash & mask
            while slots[slot] != 0 {
                let index = Int(slots[slot]) - 1
                if hashes[index] == hash && isKey(index) { return index }
                slot = (slot + 1) & mask
            }
            slots[slot] = Int32(truncatingIfNeeded: hashes.count + 1)
            hashes.append(hash)
            return nil
        }

        private mutating func grow() {
            let count = max(64, slots.count * 2)
            slots = [Int32](repeating: 0, count: count)
            let mask = count - 1
            for (index, hash) in hashes.enumerated() {
                var slot = hash & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(truncatingIfNeeded: index + 1)
            }
        }
    }

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
        if let key = stack[top].pendingKey.take() {
            stack[top].pairs.append(YAMLPair(key: key, value: node))
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
            earlier = stack[top].firstKey(scalar.value)?.key.mark
        }
        if let first = earlier {
            throw YAMLError(
                "duplicate key \(scalar.quotedForMessage) (first defined at line \(first.line), column \(first.column))",
                at: node.mark)
        }
        stack[top].pendingKey = node
    }
}
