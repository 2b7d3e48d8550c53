/// Gathers AXFR messages: the first record must be the zone's SOA and the transfer ends with
/// the same SOA again (RFC 5936 §2.2).
struct ZoneTransferCollector {
    let zone: DNSName
    let server: DNSServerAddress
    private var soa: SOA?
    private var records: [ResourceRecord] = []
    private var messages = 0
    private var finished = false

    init(zone: DNSName, server: DNSServerAddress) {
        self.zone = zone
        self.server = server
    }

    /// Adds one message; returns true when the closing SOA has been seen.
    mutating func add(_ message: DNSMessage) throws(DNSError) -> Bool {
        messages += 1
        records.reserveCapacity(records.count + message.answers.count)
        for record in message.answers {
            guard !finished else {
                throw .transferIncomplete(server: server, zone: zone, reason: "records after the closing SOA")
            }
            if soa == nil {
                guard record.type == .soa, record.name == zone, case .soa(let first) = record.data else {
                    throw .transferIncomplete(server: server, zone: zone, reason: "the first record is not the zone's SOA")
                }
                soa = first
                records.append(record)
            } else if record.type == .soa, record.name == zone {
                finished = true
            } else {
                records.append(record)
            }
        }
        return finished
    }

    func result() throws(DNSError) -> ZoneTransfer {
        guard finished, let soa else {
            throw .transferIncomplete(server: server, zone: zone, reason: "the closing SOA never arrived")
        }
        return ZoneTransfer(zone: zone, soa: soa, records: records, messageCount: messages)
    }
}
