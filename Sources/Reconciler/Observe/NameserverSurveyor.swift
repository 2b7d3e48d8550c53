import BoundedTasks
import DNS
import DesiredState
import Foundation

/// Finds a zone's authoritative servers and asks each one directly what it publishes
/// (DESIGN §14). `auto` takes the apex NS set from the zone's data (as `dns.server` or the
/// zone file has it; through the resolver when there is neither) and each NS name's
/// addresses from the zone when the name lies inside it, through the resolver otherwise.
/// Every address is asked non-recursively and must answer with authority. Only the resolver
/// is ever asked recursively, and only when discovery needs it or `dns.resolver` is set.
struct NameserverSurveyor: Sendable {
    let settings: DNSSettings
    let timeout: Duration
    /// Asked at once.
    var concurrency = 8
    /// `/etc/resolv.conf`, read only when a resolver is needed and none is configured.
    var resolvConf = "/etc/resolv.conf"

    func survey(_ zone: DNSName, primary: ZoneSnapshot?, names: [DNSName]) async -> NameserverReport {
        var notes: [String] = []
        var apexNS = (primary?.records(zone, .ns) ?? []).compactMap { record -> String? in
            guard case .ns(let name) = record.data else { return nil }
            return name.description
        }.sorted()
        var resolverNS: [String]?
        let resolver = settings.resolver ?? (needsResolver(zone, primary: primary) ? systemResolver() : nil)
        if let resolver {
            let found = await resolve(zone, .ns, via: resolver).compactMap { record -> String? in
                guard case .ns(let name) = record.data else { return nil }
                return name.description
            }.sorted()
            resolverNS = found
            if primary == nil { apexNS = found }
        } else if needsResolver(zone, primary: primary) {
            notes.append("no resolver to find the NS names outside \(zone) (set dns.resolver)")
        }

        var addresses: [(DNSServerAddress, String?)] = []
        switch settings.nameservers {
        case .listed(let listed):
            addresses = listed.map { ($0, nil) }
        case .auto:
            for nsText in apexNS {
                guard let ns = try? DNSName(nsText) else { continue }
                var found: [DNSServerAddress] = []
                if ns.isSubdomain(of: zone), let primary {
                    for record in primary.records(ns, .a) + primary.records(ns, .aaaa) {
                        if let address = Self.address(record) { found.append(address) }
                    }
                }
                if found.isEmpty, let resolver {
                    for record in await resolve(ns, .a, via: resolver) + resolve(ns, .aaaa, via: resolver) {
                        if let address = Self.address(record) { found.append(address) }
                    }
                }
                if found.isEmpty { notes.append("NS \(nsText) of \(zone) has no address that could be found") }
                addresses += found.map { ($0, nsText) }
            }
        }
        // One entry per address, with every NS name that leads to it.
        var servers: [NameserverReport.Server] = []
        for (address, name) in addresses {
            if let index = servers.firstIndex(where: { $0.address == address }) {
                if let name, !servers[index].names.contains(name) { servers[index].names.append(name) }
            } else {
                servers.append(.init(address: address, names: name.map { [$0] } ?? []))
            }
        }
        let timeout = self.timeout
        let asked = await BoundedTasks.map(servers, concurrency: concurrency) { server in
            await Self.ask(server, zone: zone, names: names, timeout: timeout)
        }
        return NameserverReport(
            zone: zone, apexNS: apexNS, resolverNS: resolverNS, servers: asked, notes: notes)
    }

    /// Whether discovery needs a resolver: no zone data to read the NS set from, or an NS name
    /// outside the zone.
    func needsResolver(_ zone: DNSName, primary: ZoneSnapshot?) -> Bool {
        guard case .auto = settings.nameservers else { return false }
        guard let primary else { return true }
        return primary.records(zone, .ns).contains { record in
            guard case .ns(let name) = record.data else { return false }
            return !name.isSubdomain(of: zone)
        }
    }

    /// One server's view: its AXFR when it allows one, else per-name queries; each answer
    /// must be authoritative. A failure is the server's, recorded, never thrown.
    static func ask(_ server: NameserverReport.Server, zone: DNSName, names: [DNSName], timeout: Duration) async
        -> NameserverReport.Server
    {
        var result = server
        let reader = ZoneReader(client: DNSClient(server: server.address, timeout: timeout, retries: 1), key: nil)
        do {
            result.snapshot = try await reader.transfer(zone, how: "AXFR from \(server.address)")
            return result
        } catch {
            switch error {
            case .refused, .notAuth, .unexpectedResponseCode, .serverFailure: break
            default:
                result.failure = error.description
                return result
            }
        }
        do {
            result.snapshot = try await reader.query(zone, names: names, how: "queries to \(server.address)")
        } catch {
            result.failure = error.description
        }
        return result
    }

    /// The records of `type` at `name` as the resolver answers (recursion desired); none when
    /// it fails.
    func resolve(_ name: DNSName, _ type: RecordType, via resolver: DNSServerAddress) async -> [ResourceRecord] {
        let client = DNSClient(server: resolver, timeout: timeout, retries: 1)
        return (try? await client.query(name, type, recursionDesired: true).records(type, of: name)) ?? []
    }

    /// The first `nameserver` of /etc/resolv.conf.
    func systemResolver() -> DNSServerAddress? {
        guard let text = try? String(contentsOfFile: resolvConf, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count >= 2, words[0] == "nameserver", let address = try? DNSServerAddress(host: String(words[1])) {
                return address
            }
        }
        return nil
    }

    static func address(_ record: ResourceRecord) -> DNSServerAddress? {
        switch record.data {
        case .a(let bytes): try? DNSServerAddress(host: bytes.description)
        case .aaaa(let bytes): try? DNSServerAddress(host: bytes.description)
        default: nil
        }
    }
}
