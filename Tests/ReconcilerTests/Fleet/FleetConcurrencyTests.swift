import DNS
import DesiredState
import Foundation
import Reconciler
import TestSupport
import Testing

/// Three fleet hosts writing the same names of a real BIND primary at the same instant
/// (DESIGN §15): compare-and-swap on the sets read, retried on YXRRSET/NXRRSET, loses nothing.
@Suite(.serialized) struct FleetConcurrencyTests {
    static let zone = """
        $ORIGIN example.social.
        $TTL 60
        @ IN SOA ns1 hostmaster 2026120101 3600 900 1209600 60
          IN NS ns1
        ns1 IN A 127.0.0.1

        """

    static let hostNames = ["web1", "web2", "web3"]

    @Test func threeHostsAtTheSameInstantLoseNoUpdate() async throws {
        let named = try NamedServer(
            zones: [.init(name: "example.social", contents: Self.zone)], keyAlgorithms: ["hmac-sha256"])
        defer { named.stop() }
        let key = try TSIGKey.parse(named.key("hmac-sha256")?.keyFile ?? "", source: "tsig-keygen")
        let server = try DNSServerAddress(host: "127.0.0.1", port: named.port)
        let zone = try DNSName("example.social.")
        let names = try ["www", "media", "api"].map { try DNSName("\($0).example.social.") }
        let fleet = FleetDecisionTests.fleet(Self.hostNames)
        let revision = DesiredRevision(commit: String(repeating: "a", count: 40), time: 1_000)
        func writer(_ host: String) -> FleetRecordWriter {
            FleetRecordWriter(
                client: DNSClient(server: server, timeout: .seconds(3)), key: key, zone: zone, host: host, fleet: fleet,
                revision: revision, ttl: 60)
        }
        var generator = SeededGenerator(seed: 17)
        var messages = 0
        var conflicts = 0
        for round in 1...20 {
            // web1 always serves (so no set is ever asked to lose its last address); the others
            // serve or stop at random.
            let serving = Set(["web1"] + Self.hostNames.dropFirst().filter { _ in Bool.random(using: &generator) })
            let outcomes = try await withThrowingTaskGroup(of: [FleetRecordWriter.Outcome].self) { group in
                let start = Date().addingTimeInterval(0.05)
                for host in Self.hostNames {
                    let own = try #require(fleet.host(named: host)).addresses
                    let serves = serving.contains(host)
                    group.addTask {
                        // The same instant for all three.
                        try await Task.sleep(for: .milliseconds(max(0, Int(start.timeIntervalSinceNow * 1000))))
                        var done: [FleetRecordWriter.Outcome] = []
                        for name in names {
                            let addresses = Dictionary(
                                uniqueKeysWithValues: AddressFamily.allCases.map { ($0, own.addresses($0)) })
                            let intent = FleetIntent(
                                name: name, publish: serves ? addresses : [:], withdraw: serves ? [:] : addresses,
                                wanted: [.ipv4, .ipv6])
                            done.append(try await writer(host).write(intent))
                        }
                        return done
                    }
                }
                var all: [FleetRecordWriter.Outcome] = []
                for try await done in group { all += done }
                return all
            }
            messages += outcomes.map(\.messages).reduce(0, +)
            conflicts += outcomes.map { $0.attempts - 1 }.reduce(0, +)
            let client = DNSClient(server: server)
            for name in names {
                for family in AddressFamily.allCases {
                    let type: RecordType = family == .ipv4 ? .a : .aaaa
                    let published = try await client.query(name, type).records(type, of: name).map {
                        $0.data.presentation(as: type)
                    }
                    let expected = serving.sorted().flatMap { fleet.host(named: $0)?.addresses.addresses(family) ?? [] }
                    #expect(published.sorted() == expected.sorted(), "round \(round) \(name) \(type)")
                }
                let registryName = try #require(OwnershipRegistry.name(for: name))
                let entries = OwnershipRegistry.entries(
                    try await client.query(registryName, .txt).records(.txt, of: registryName))
                #expect(entries.rejected == 0)
                #expect(Set(entries.entries.map(\.host)) == serving, "round \(round) \(name) registry")
                #expect(entries.entries.count == serving.count * 2)
            }
        }
        // Contention happened and was resolved by retrying, not by losing a write.
        #expect(conflicts > 0)
        print(
            "fleet concurrency: 20 rounds, 3 hosts, 3 names: \(messages) DNS messages, \(conflicts) prerequisite conflicts retried"
        )
    }
}
