/// Gathers AXFR messages: the first record must be the zone's SOA and the transfer ends with
/// the same SOA again (RFC 5936 §2.2).
struct ZoneTransferCollector {
    let zone: DNSName
    let server: DNSServerAddress
    let limits: ZoneTransferLimits
    private var soa: SOA?
    // Grown by append's doubling only: reserving "count + n" per message would reallocate
    // (and copy every record so far) on every message. Grouped by owner as they come.
    private var records = RecordsByOwner.Builder()
    private var messages = 0
    private var bytes = 0
    private var finished = false

    init(zone: DNSName, server: DNSServerAddress, limits: ZoneTransferLimits = ZoneTransferLimits()) {
        self.zone = zone
        self.server = server
        self.limits = limits
    }

    /// Counts a message's bytes before it is decoded, so an oversized stream stops early.
    mutating func count(bytes byteCount: Int) throws(DNSError) {
        bytes += byteCount
        if bytes > limits.maxBytes {
            throw .transferLimitExceeded(
                server: server, zone: zone, limit: "\(limits.maxBytes) bytes (dns.limits.transfer-bytes)")
        }
    }

    /// Adds one message; returns true when the closing SOA has been seen.
    mutating func add(_ message: DNSMessage) throws(DNSError) -> Bool {
        messages += 1
        if records.records.count + message.answers.count > limits.maxRecords + 1 {
            throw .transferLimitExceeded(
                server: server, zone: zone, limit: "\(limits.maxRecords) records (dns.limits.transfer-records)")
        }
        for record in message.answers {
            guard !finished else {
                throw .transferIncomplete(server: server, zone: zone, reason: "records after the closing SOA")
            }
            if soa == nil {
                guard record.type == .soa, record.name == zone, case .soa(let first) = record.data else {
                    throw .transferIncomplete(
                        server: server, zone: zone, reason: "the first record is not the zone's SOA")
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
        return ZoneTransfer(
            zone: zone, soa: soa, records: records.records, byOwner: RecordsByOwner(records), messageCount: messages)
    }
}
