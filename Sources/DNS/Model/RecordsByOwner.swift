/// Records grouped by owner name without an array per name (most names own one to three
/// records): one array of every record, each name's together and in the order they came,
/// and where each name's run starts. A zone transfer builds it while the server is still
/// sending, so looking names up costs nothing more once the closing SOA arrives.
public final class RecordsByOwner: Sendable {
    /// Every record, each name's together, the names in the order they first came.
    public let grouped: [ResourceRecord]
    /// Where each name's records start in ``grouped``, by the name's number; one more entry
    /// than names, the end.
    private let starts: [Int]
    /// Each owner name's number, in the order the names first came.
    private let numbers: [DNSName: Int]

    /// Groups `records`, keeping each name's in their order.
    public convenience init(_ records: [ResourceRecord]) {
        var builder = Builder(reservingCapacity: records.count)
        for record in records { builder.append(record) }
        self.init(builder)
    }

    init(_ builder: Builder) {
        var starts = [0]
        starts.reserveCapacity(builder.counts.count + 1)
        for count in builder.counts { starts.append(starts[starts.count - 1] + count) }
        self.starts = starts
        self.numbers = builder.numbers
        guard !builder.inOrder else {
            self.grouped = builder.records
            return
        }
        // A name came back after another: a stable counting sort by name number.
        var grouped = builder.records
        var fill = starts
        for record in builder.records {
            if let number = builder.numbers[record.name] {
                grouped[fill[number]] = record
                fill[number] += 1
            }
        }
        self.grouped = grouped
    }

    /// The records owned by `name`, of any type, in the order they came.
    public func records(at name: DNSName) -> ArraySlice<ResourceRecord> {
        guard let number = numbers[name] else { return [] }
        return grouped[starts[number]..<starts[number + 1]]
    }

    /// Collects records one at a time. A zone transfer sends each name's records together,
    /// so a record owned by the previous record's owner is counted without a lookup, and
    /// when no name comes back after another the records are already grouped and are kept
    /// as they came.
    struct Builder {
        /// Every record in the order it came.
        private(set) var records: [ResourceRecord] = []
        private(set) var numbers: [DNSName: Int] = [:]
        /// How many records each name owns, by the name's number.
        private(set) var counts: [Int] = []
        /// False once a name comes back after another name's records.
        private(set) var inOrder = true
        private var current = 0

        init(reservingCapacity capacity: Int = 0) {
            records.reserveCapacity(capacity)
            numbers.reserveCapacity(capacity)
        }

        mutating func append(_ record: ResourceRecord) {
            if records.last.map({ $0.name != record.name }) ?? true {
                let next = counts.count
                current = Self.value(&numbers[record.name, default: next])
                if current == next { counts.append(0) } else { inOrder = false }
            }
            counts[current] += 1
            records.append(record)
        }

        /// Reads a dictionary entry through the default subscript, which adds the default
        /// when the key is new: one lookup both finds and numbers a name.
        private static func value(_ slot: inout Int) -> Int { slot }
    }
}
