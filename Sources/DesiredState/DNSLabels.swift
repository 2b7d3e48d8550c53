import DNS

/// Turns vhost names into DNS names, splitting at dots rather than parsing presentation form
/// (a host name has no escapes); a label equal to the previous name's at the same place from
/// the right shares its array, so `v17.example.social` after `v16.example.social` allocates
/// one label, not three.
struct DNSLabels {
    private var previous: [[UInt8]] = []
    /// Where each label of the name being split starts and ends, reused from name to name.
    private var ranges: [Range<Int>] = []

    /// `name` (a valid ``HostName``) as an absolute DNS name, or nil if it cannot be one.
    mutating func dnsName(_ name: String) -> DNSName? {
        var name = name
        name.makeContiguousUTF8()
        let labels = name.utf8.withContiguousStorageIfAvailable { split($0) } ?? nil
        guard let labels else { return try? DNSName(name + ".") }
        previous = labels
        return try? DNSName(labels: labels)
    }

    /// The labels of `bytes` split at every dot (empty ones kept, for `DNSName` to refuse),
    /// or nil when the bytes need parsing: empty (the root) or with a backslash (escapes).
    private mutating func split(_ bytes: UnsafeBufferPointer<UInt8>) -> [[UInt8]]? {
        ranges.removeAll(keepingCapacity: true)
        var start = 0
        for index in bytes.indices {
            switch bytes[index] {
            case UInt8(ascii: "."):
                ranges.append(start..<index)
                start = index + 1
            case UInt8(ascii: "\\"):
                return nil
            default:
                continue
            }
        }
        if bytes.isEmpty { return nil }
        ranges.append(start..<bytes.count)
        var labels: [[UInt8]] = []
        labels.reserveCapacity(ranges.count)
        let shift = previous.count - ranges.count
        for (index, range) in ranges.enumerated() {
            let part = UnsafeBufferPointer(rebasing: bytes[range])
            let earlier = index + shift
            if earlier >= 0, previous[earlier].elementsEqual(part) {
                labels.append(previous[earlier])
            } else {
                labels.append(Array(part))
            }
        }
        return labels
    }
}
