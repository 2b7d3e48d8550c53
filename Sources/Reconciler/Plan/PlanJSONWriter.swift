/// Writes a plan as JSON in one pass into one buffer: byte for byte what `JSONEncoder` gives
/// with `.prettyPrinted, .sortedKeys, .withoutEscapingSlashes` (two-space indents,
/// `"key" : value`, keys in sorted order, absent optionals left out), without building the
/// intermediate tree of values that made encoding a large plan a fifth of a run.
struct PlanJSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Per open object or array: whether it has had a member yet.
    private var started: [Bool] = []
    /// Where full chunks go when streaming; nil keeps everything in ``bytes``.
    private let sink: ((ArraySlice<UInt8>) -> Void)?
    private static let chunkSize = 1 << 20

    init(capacity: Int, sink: ((ArraySlice<UInt8>) -> Void)? = nil) {
        bytes.reserveCapacity(capacity)
        self.sink = sink
    }

    static func encode(_ plan: Plan) -> [UInt8] {
        // About 700 bytes per finding and per record set: one allocation for most plans.
        var writer = PlanJSONWriter(
            capacity: 4096 + 700 * (plan.findings.count + plan.actions.count) + 120
                * plan.preconditions.recordSets.count)
        writer.write(plan)
        return writer.bytes
    }

    /// Hands the JSON to `sink` in chunks of about a megabyte as it is written, so a large
    /// plan is never held whole in memory.
    static func stream(_ plan: Plan, to sink: @escaping (ArraySlice<UInt8>) -> Void) {
        var writer = PlanJSONWriter(capacity: chunkSize + (64 << 10), sink: sink)
        writer.write(plan)
        sink(writer.bytes[...])
    }

    /// Passes the chunk on once it is full (between values, so nothing is split oddly).
    private mutating func flushIfFull() {
        guard let sink, bytes.count >= Self.chunkSize else { return }
        sink(bytes[...])
        bytes.removeAll(keepingCapacity: true)
    }

    // MARK: The plan's values, keys in sorted order

    private mutating func write(_ plan: Plan) {
        open(UInt8(ascii: "{"))
        key("actions")
        largeArray(plan.actions) { $0.write($1) }
        if let checks = plan.checksNotRun {
            key("checks_not_run")
            array(checks) { writer, check in
                writer.open(UInt8(ascii: "{"))
                writer.key("check")
                writer.string(check.check)
                writer.key("reason")
                writer.string(check.reason)
                writer.close(UInt8(ascii: "}"))
            }
        }
        key("created_at")
        string(plan.createdAt)
        key("desired")
        open(UInt8(ascii: "{"))
        key("digest")
        string(plan.desired.digest)
        if let commit = plan.desired.gitCommit {
            key("git_commit")
            string(commit)
        }
        if let dirty = plan.desired.gitDirty {
            key("git_dirty")
            bool(dirty)
        }
        close(UInt8(ascii: "}"))
        key("dns_source")
        string(plan.dnsSource)
        key("findings")
        largeArray(plan.findings) { $0.write($1) }
        key("in_sync")
        bool(plan.inSync)
        key("nginx_config")
        string(plan.nginxConfig)
        key("notes")
        array(plan.notes) { $0.string($1) }
        if let pending = plan.pendingReloads {
            key("pending_reloads")
            array(pending) { $0.string($1) }
        }
        key("preconditions")
        open(UInt8(ascii: "{"))
        key("nginx_files")
        array(plan.preconditions.nginxFiles) { writer, file in
            writer.open(UInt8(ascii: "{"))
            writer.key("path")
            writer.string(file.path)
            writer.key("sha256")
            writer.string(file.sha256)
            writer.close(UInt8(ascii: "}"))
        }
        key("record_sets")
        largeArray(plan.preconditions.recordSets) { writer, set in
            writer.open(UInt8(ascii: "{"))
            writer.key("name")
            writer.string(set.name)
            writer.key("type")
            writer.string(set.type)
            writer.key("values")
            writer.array(set.values) { $0.string($1) }
            writer.close(UInt8(ascii: "}"))
        }
        close(UInt8(ascii: "}"))
        if let version = plan.reconcileVersion {
            key("reconcile_version")
            string(version)
        }
        key("schema")
        integer(plan.schema)
        close(UInt8(ascii: "}"))
    }

    private mutating func write(_ action: Action) {
        open(UInt8(ascii: "{"))
        key("family")
        string(action.family.rawValue)
        let edit = action.nginxEdit
        let record = action.recordEdit
        if let edit {
            key("file")
            string(edit.path)
            key("inserted")
            string(edit.insertedText)
        }
        key("kind")
        string(action.kind.rawValue)
        if let edit {
            key("line")
            integer(edit.line)
        }
        if let record {
            key("name")
            string(record.name)
        }
        if let notBefore = action.notBefore {
            key("not_before")
            string(notBefore)
        }
        if let edit {
            key("offset")
            integer(edit.offset)
        }
        key("phase")
        integer(action.phase.rawValue)
        if let port = action.port {
            key("port")
            integer(Int(port))
        }
        if let record {
            key("prerequisite")
            array(record.prerequisite) { $0.string($1) }
        }
        if let edit {
            key("removed_bytes")
            integer(edit.removing)
            key("text")
            string(edit.directive)
        }
        if let record {
            key("ttl")
            integer(Int(record.ttl))
            key("type")
            string(action.family.recordTypeName)
            key("value")
            string(record.value)
        }
        key("vhost")
        string(action.vhost)
        if let record {
            key("zone")
            string(record.zone)
        }
        close(UInt8(ascii: "}"))
    }

    private mutating func write(_ finding: Finding) {
        open(UInt8(ascii: "{"))
        if let block = finding.answeredBy {
            key("answered_by")
            open(UInt8(ascii: "{"))
            key("file")
            string(block.file)
            key("line")
            integer(block.line)
            key("server_names")
            array(block.serverNames) { $0.string($1) }
            close(UInt8(ascii: "}"))
        }
        key("code")
        string(finding.code)
        key("evidence")
        array(finding.evidence) { $0.string($1) }
        if let family = finding.family {
            key("family")
            string(family.rawValue)
        }
        key("message")
        string(finding.message)
        if let port = finding.port {
            key("port")
            integer(Int(port))
        }
        key("severity")
        string(finding.severity.rawValue)
        key("slug")
        string(finding.slug)
        key("vhost")
        string(finding.vhost)
        close(UInt8(ascii: "}"))
    }

    // MARK: Layout

    private mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * started.count))
    }

    /// Before each member of the innermost object or array: the comma and the indent.
    private mutating func member() {
        let index = started.count - 1
        if started[index] { bytes.append(UInt8(ascii: ",")) }
        started[index] = true
        newline()
    }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        started.append(false)
    }

    private mutating func close(_ bracket: UInt8) {
        // An empty one still gets its blank line, as JSONEncoder writes it: "[\n\n  ]".
        if started.removeLast() == false { bytes.append(UInt8(ascii: "\n")) }
        newline()
        bytes.append(bracket)
    }

    private mutating func key(_ name: StaticString) {
        member()
        bytes.append(UInt8(ascii: "\""))
        literal(name)
        literal("\" : ")
    }

    /// Bytes known when the program is built, appended without making an array of them first
    /// (that was an allocation per key written).
    private mutating func literal(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func array<Element>(_ elements: [Element], _ body: (inout PlanJSONWriter, Element) -> Void) {
        open(UInt8(ascii: "["))
        for element in elements {
            member()
            body(&self, element)
            flushIfFull()
        }
        close(UInt8(ascii: "]"))
    }

    /// ``array(_:_:)`` for the plan's long lists (findings, actions, record sets), written on
    /// both cores: of each two chunks, this thread writes the first while another writes the
    /// second into a buffer of its own, appended after it. Same bytes, in order; a chunk at a
    /// time held, not the list.
    private mutating func largeArray<Element: Sendable>(
        _ elements: [Element], _ body: @escaping @Sendable (inout PlanJSONWriter, Element) -> Void
    ) {
        guard elements.count >= 2 * Self.chunkElements else { return array(elements, body) }
        open(UInt8(ascii: "["))
        // A second chunk always follows members of the first, so its first member has a comma.
        var depth = started
        depth[depth.count - 1] = true
        var writer = self
        Concurrently.inPairs(
            count: elements.count, chunk: Self.chunkElements,
            first: { range in
                for element in elements[range] {
                    writer.member()
                    body(&writer, element)
                    writer.flushIfFull()
                }
            },
            second: { [depth] range in
                var other = PlanJSONWriter(capacity: 0)
                other.started = depth
                for element in elements[range] {
                    other.member()
                    body(&other, element)
                }
                return other.bytes
            },
            then: { bytes in
                guard let sink = writer.sink else {
                    writer.bytes += bytes
                    return
                }
                // Streamed, the second chunk goes out as it is, after this writer's bytes:
                // copied into this buffer, it would grow it by a chunk for the rest of the run.
                if !writer.bytes.isEmpty { sink(writer.bytes[...]) }
                writer.bytes.removeAll(keepingCapacity: true)
                sink(bytes[...])
            })
        self = writer
        close(UInt8(ascii: "]"))
    }

    /// Elements per chunk of a ``largeArray(_:_:)``: a megabyte or two of JSON (the second
    /// chunk of each pair is held whole until it is written).
    static let chunkElements = 2048

    private mutating func bool(_ value: Bool) {
        literal(value ? "true" : "false")
    }

    /// Decimal digits written straight into the buffer, not through a String.
    private mutating func integer(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var rest = value.magnitude
        var divisor: UInt = 1
        while rest / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A JSON string: `"` and `\` escaped, control characters as `\b \f \n \r \t` or `\u00XX`,
    /// everything else (slashes, non-ASCII) as it is.
    private mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = value
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    bytes.append(Self.hexDigits[Int(byte >> 4)])
                    bytes.append(Self.hexDigits[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
