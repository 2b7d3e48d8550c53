import DNS
import DesiredState

/// `dns.provider: authoritative` (DESIGN §14): the zone as its authoritative servers publish
/// it, for zones hosted anywhere. Needs no server address and no key; reads only. What a plan
/// compares is the union of what the servers publish (a resolver may ask any of them); DNS
/// actions are printed for the operator to make at the DNS host.
public struct AuthoritativeProvider: DNSProvider {
    public let settings: DNSSettings
    /// Where the apex NS set is read, when given (else through the resolver).
    public let server: DNSServerAddress?
    public let timeout: Duration

    public init(settings: DNSSettings, server: DNSServerAddress?, timeout: Duration) {
        self.settings = settings
        self.server = server
        self.timeout = timeout
    }

    public var readOnlyReason: String? {
        "dns.provider is authoritative (read-only: DNS changes are made at your DNS host)"
    }

    public var summary: String {
        switch settings.nameservers {
        case .auto: "the zones' authoritative servers" + (server.map { " (NS set from \($0))" } ?? "")
        case .listed(let servers): "authoritative servers " + servers.map(\.description).joined(separator: ", ")
        }
    }

    public func observe(zones: [DNSName], names: [DNSName]) async throws(ReconcileError) -> DNSObservation {
        var snapshots: [DNSName: ZoneSnapshot] = [:]
        var reports: [DNSName: NameserverReport] = [:]
        let surveyor = NameserverSurveyor(settings: settings, timeout: timeout)
        for zone in zones {
            let inZone = names.filter { $0.isSubdomain(of: zone) }
            var apex: ZoneSnapshot?
            if let server {
                let reader = ZoneReader(client: DNSClient(server: server, timeout: timeout), key: nil)
                do {
                    apex = try await reader.transfer(zone, how: "AXFR from \(server)")
                } catch {
                    apex = try await reader.query(zone, names: inZone, how: "queries to \(server)")
                }
            }
            let report = await surveyor.survey(zone, primary: apex, names: inZone)
            let answering = report.servers.compactMap(\.snapshot)
            guard let first = answering.first else {
                let why =
                    report.servers.compactMap { server in server.failure.map { "\(server.label): \($0)" } }
                    + report.notes
                throw .other(
                    "zone \(zone): no authoritative server answered, so nothing is known of what it publishes"
                        + (why.isEmpty ? "" : ":\n  " + why.joined(separator: "\n  ")))
            }
            // The union of what any server publishes, each record once.
            var seen = Set<ResourceRecord>()
            var union: [ResourceRecord] = []
            for snapshot in answering {
                for record in snapshot.allRecords where seen.insert(record).inserted { union.append(record) }
            }
            snapshots[zone] = ZoneSnapshot(
                zone: zone, serial: answering.map(\.serial).max() ?? first.serial, source: .queries, records: union,
                read: "the union of \(answering.count) authoritative server\(answering.count == 1 ? "" : "s")")
            reports[zone] = report
        }
        return DNSObservation(zones: snapshots, nameservers: reports)
    }

    public func apply(zone: DNSName, changes: [RecordSetChange], observed: ZoneSnapshot?) async throws(ReconcileError) {
        throw .other(readOnlyReason ?? "DNS is read-only")
    }
}
