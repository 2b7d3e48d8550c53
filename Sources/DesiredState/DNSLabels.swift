import DNS

/// Turns vhost names into DNS names, splitting at dots rather than parsing presentation form
/// (a host name has no escapes); a label equal to the previous name's at the same place from
/// the right shares its array, so `v17.example.social` after `v16.example.social` allocates
/// one label, not three.
struct DNSLabels {
    private var previous: [[UInt8]] = []

    /// `name` (a valid ``HostName``) as an absolute DNS name, or nil if it cannot be one.
    mutating func dnsName(_ name: String) -> DNSName? {
        let bytes = name.utf8
        if bytes.isEmpty || bytes.contains(UInt8(ascii: "\\")) { return try? DNSName(name + ".") }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        var labels: [[UInt8]] = []
        labels.reserveCapacity(parts.count)
        let shift = previous.count - parts.count
        for (index, part) in parts.enumerated() {
            let earlier = index + shift
            if earlier >= 0, previous[earlier].elementsEqual(part) {
                labels.append(previous[earlier])
            } else {
                labels.append(Array(part))
            }
        }
        previous = labels
        return try? DNSName(labels: labels)
    }
}
