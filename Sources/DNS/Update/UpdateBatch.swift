/// Packs changes into as few UPDATE messages as fit a size budget (RFC 2136 §3: one message
/// applies atomically). Each message carries the prerequisites of exactly its own changes.
public enum UpdateBatch {
    /// Budget below the 65,535-byte TCP limit, leaving room for the TSIG record.
    public static let defaultMessageBudget = 60_000

    /// Splits `changes` into messages for `zone`. Sizes are measured without cross-record
    /// compression, so the real messages are never larger than the budget.
    public static func messages(
        zone: DNSName, changes: [UpdateChange], budget: Int = defaultMessageBudget
    ) throws(DNSError) -> [DNSMessage] {
        let base = DNSMessage(
            header: DNSHeader(id: 0, opcode: .update), questions: [DNSQuestion(name: zone, type: .soa)])
        let baseSize = base.encode().count
        var messages: [DNSMessage] = []
        var current = base
        var size = baseSize
        for change in changes {
            let prerequisites = change.prerequisites.flatMap(\.records)
            let updates = change.operations.map(\.record)
            let changeSize = (prerequisites + updates).reduce(0) { $0 + uncompressedSize($1) }
            guard baseSize + changeSize <= budget else { throw .messageTooLarge(size: baseSize + changeSize) }
            if size + changeSize > budget {
                messages.append(current)
                current = base
                size = baseSize
            }
            current.answers += prerequisites
            current.authority += updates
            size += changeSize
        }
        if !current.answers.isEmpty || !current.authority.isEmpty { messages.append(current) }
        return messages
    }

    static func uncompressedSize(_ record: ResourceRecord) -> Int {
        var writer = WireWriter(capacity: 64)
        record.data.encode(to: &writer, compress: false)
        return record.name.wireLength + 10 + writer.count
    }
}
