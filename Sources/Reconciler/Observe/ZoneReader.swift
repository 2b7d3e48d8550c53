import BoundedTasks
import DNS

/// Reads one zone from one server: by AXFR, or by per-name queries (A, AAAA and CNAME of each
/// name asked, following CNAMEs that stay inside the zone) that must be answered with
/// authority. A referral or an answer without the AA bit is an error naming the server, never
/// "no records": a resolver's cached or empty answer must not become the zone's contents.
struct ZoneReader: Sendable {
    let client: DNSClient
    /// Signs every request and requires every response to verify, when set.
    let key: TSIGKey?
    /// How many names are asked at once.
    var concurrency = 32

    /// The whole zone by AXFR; `how` says so in the output.
    func transfer(_ zone: DNSName, how: String) async throws(DNSError) -> ZoneSnapshot {
        let transfer = try await client.transferZone(zone, key: key)
        return ZoneSnapshot(zone: zone, serial: transfer.serial, source: .axfr, index: transfer.byOwner, read: how)
    }

    /// The records of `names` (and the SOA), one query per name and type, at most
    /// ``concurrency`` at once.
    func query(_ zone: DNSName, names: [DNSName], how: String) async throws(ReconcileError) -> ZoneSnapshot {
        let soa = try await authoritative(zone, .soa, zone: zone)
        guard case .soa(let soaData)? = soa.records(.soa, of: zone).first?.data else {
            throw .other(
                "zone \(zone): \(client.server) has no SOA for it: it is not authoritative for \(zone); point dns.server at the zone's primary, never at a resolver"
            )
        }
        var records: [ResourceRecord] = []
        var pending = names
        var seen = Set(names)
        let reader = self
        while !pending.isEmpty {
            let batch = pending
            pending = []
            let results = await BoundedTasks.map(batch, concurrency: concurrency) { name in
                var found: [ResourceRecord] = []
                for type in [RecordType.a, .aaaa, .cname] {
                    do throws(ReconcileError) {
                        found += try await reader.authoritative(name, type, zone: zone).records(type, of: name)
                    } catch {
                        return Result<[ResourceRecord], ReconcileError>.failure(error)
                    }
                }
                return Result<[ResourceRecord], ReconcileError>.success(found)
            }
            for result in results {
                switch result {
                case .failure(let error): throw error
                case .success(let found):
                    records += found
                    for case .cname(let target) in found.map({ $0.data }) where target.isSubdomain(of: zone) {
                        if seen.insert(target).inserted { pending.append(target) }
                    }
                }
            }
        }
        return ZoneSnapshot(zone: zone, serial: soaData.serial, source: .queries, records: records, read: how)
    }

    /// A query whose answer must carry the AA bit.
    func authoritative(_ name: DNSName, _ type: RecordType, zone: DNSName) async throws(ReconcileError) -> QueryResult {
        let result: QueryResult
        do {
            result = try await client.query(name, type, key: key)
        } catch {
            throw .dns(zone: zone.description, error)
        }
        guard result.authoritative else {
            let referral = result.answers.isEmpty && result.authority.contains { $0.type == .ns }
            throw .other(
                "zone \(zone): \(client.server) is not authoritative for \(zone): it answered \(name) \(type) \(referral ? "with a referral" : "without the AA bit") (a resolver, or a server that does not host the zone); point dns.server at the zone's primary, never at a resolver"
            )
        }
        return result
    }
}
