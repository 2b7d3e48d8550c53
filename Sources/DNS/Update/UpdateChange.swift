/// A unit of change that must apply atomically: its operations, guarded by its
/// prerequisites. Changes are never split across messages; a message carries whole changes.
public struct UpdateChange: Hashable, Sendable {
    public var prerequisites: [UpdatePrerequisite]
    public var operations: [UpdateOperation]

    public init(prerequisites: [UpdatePrerequisite] = [], operations: [UpdateOperation]) {
        self.prerequisites = prerequisites
        self.operations = operations
    }

    /// Replace an RRset: expect `old` values (empty: RRset absent), then delete it and add `new`.
    public static func replace(
        name: DNSName, type: RecordType, old: [RData], new: [RData], ttl: UInt32
    ) -> UpdateChange {
        var operations: [UpdateOperation] = old.isEmpty ? [] : [.deleteRRset(name: name, type: type)]
        operations += new.map { .add(ResourceRecord(name: name, type: type, ttl: ttl, data: $0)) }
        return UpdateChange(prerequisites: [.rrsetEquals(name: name, type: type, values: old)], operations: operations)
    }
}
