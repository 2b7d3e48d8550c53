import DNS
import DesiredState
import Reconciler
import StrictYAML
import TestSupport
import Testing

/// The fleet's rules on one name (DESIGN §15), pure: a host adds only its own addresses, never
/// withdraws one it cannot attribute or that a newer commit added, never the last of a family.
@Suite struct FleetDecisionTests {
    static let mark = YAMLMark(file: "d/hosts.yaml", line: 1, column: 1)

    static func fleet(_ names: [String]) -> Fleet {
        let hosts = names.map { name -> Fleet.Host in
            let n = UInt8(name.last?.wholeNumberValue ?? 0)
            return Fleet.Host(
                name: name,
                addresses: HostAddresses(
                    ipv4: [IPv4Bytes([192, 0, 2, n])!], ipv6: [IPv6Bytes("2001:db8::\(n)")!]),
                declaredAt: mark)
        }
        let vhost = Vhost(
            name: "www.example.social", dnsName: try! DNSName("www.example.social."), families: [.ipv4, .ipv6],
            ports: [80], zone: try! DNSName("example.social."), declaredAt: mark)
        return Fleet(hosts: hosts, assignments: [vhost.name: names], allVhosts: [vhost])
    }

    static let name = try! DNSName("www.example.social.")
    static let registryName = OwnershipRegistry.name(for: name)!
    static let n = DesiredRevision(commit: String(repeating: "a", count: 40), time: 1_000)
    static let n1 = DesiredRevision(commit: String(repeating: "b", count: 40), time: 2_000)

    func decide(
        _ intent: FleetIntent, host: String, fleet: Fleet, revision: DesiredRevision = n1,
        current: [AddressFamily: [String]], registry: [OwnershipEntry] = []
    ) -> FleetDecision {
        FleetDecision.decide(
            intent, host: host, fleet: fleet, revision: revision, ttl: 60, current: current, registry: registry,
            registryName: Self.registryName)
    }

    @Test func addsOnlyItsOwnAddressWithItsRegistryRecord() {
        let intent = FleetIntent(
            name: Self.name, publish: [.ipv4: ["192.0.2.1", "192.0.2.2"]], wanted: [.ipv4, .ipv6])
        let decision = decide(
            intent, host: "web1", fleet: Self.fleet(["web1", "web2"]), current: [.ipv4: ["192.0.2.3"]])
        let entry = OwnershipEntry(host: "web1", address: "192.0.2.1", family: .ipv4, revision: Self.n1)
        #expect(
            decision.operations == [
                .add(ResourceRecord(name: Self.name, type: .a, ttl: 60, data: .a(IPv4Bytes([192, 0, 2, 1])!))),
                .add(ResourceRecord(name: Self.registryName, type: .txt, ttl: 60, data: entry.rdata)),
            ])
        #expect(Self.registryName.description == "_reconcile.www.example.social.")
    }

    @Test func neverWithdrawsAnotherHostsAddressOrOneNobodyClaims() {
        let intent = FleetIntent(name: Self.name, withdraw: [.ipv4: ["192.0.2.2", "198.51.100.7"]], wanted: [.ipv4])
        let decision = decide(
            intent, host: "web1", fleet: Self.fleet(["web1", "web2"]),
            current: [.ipv4: ["192.0.2.1", "192.0.2.2", "198.51.100.7"]])
        #expect(decision.operations.isEmpty)
        #expect(decision.kept.map(\.reason) == [.ownedBy("web2"), .notAttributable])
    }

    @Test func aRemovedHostIsWithdrawnOnlyByANewerCommit() {
        // web3 published at commit N+1; the desired state now names web1 and web2 only.
        let entry = OwnershipEntry(host: "web3", address: "192.0.2.3", family: .ipv4, revision: Self.n1)
        let intent = FleetIntent(name: Self.name, withdraw: [.ipv4: ["192.0.2.3"]], wanted: [.ipv4])
        let current: [AddressFamily: [String]] = [.ipv4: ["192.0.2.1", "192.0.2.3"]]
        // Host B on commit N (before web3 was added) never withdraws it: the skew rule.
        let older = decide(
            intent, host: "web2", fleet: Self.fleet(["web1", "web2"]), revision: Self.n, current: current,
            registry: [entry])
        #expect(older.operations.isEmpty)
        #expect(older.kept.map(\.reason) == [.newerOwner(entry)])
        // The same commit is not newer either.
        #expect(
            decide(
                intent, host: "web2", fleet: Self.fleet(["web1", "web2"]), revision: Self.n1, current: current,
                registry: [entry]
            )
            .operations.isEmpty)
        // A host on N+2 withdraws the address and its registry record in one message.
        let newer = decide(
            intent, host: "web1", fleet: Self.fleet(["web1", "web2"]),
            revision: DesiredRevision(commit: String(repeating: "c", count: 40), time: 3_000), current: current,
            registry: [entry])
        #expect(
            newer.operations == [
                .deleteRecord(name: Self.name, type: .a, data: .a(IPv4Bytes([192, 0, 2, 3])!)),
                .deleteRecord(name: Self.registryName, type: .txt, data: entry.rdata),
            ])
        // A host whose desired state still has web3 keeps it, whatever the commits.
        #expect(
            decide(
                intent, host: "web1", fleet: Self.fleet(["web1", "web2", "web3"]), current: current, registry: [entry]
            )
            .kept.map(\.reason) == [.ownedBy("web3")])
    }

    @Test func theLastAddressOfAWantedFamilyStays() {
        let intent = FleetIntent(name: Self.name, withdraw: [.ipv6: ["2001:db8::1"]], wanted: [.ipv4, .ipv6])
        let fleet = Self.fleet(["web1", "web2"])
        let last = decide(intent, host: "web1", fleet: fleet, current: [.ipv6: ["2001:db8::1"]])
        #expect(last.operations.isEmpty)
        #expect(last.kept.map(\.reason) == [.lastAddress])
        let notLast = decide(intent, host: "web1", fleet: fleet, current: [.ipv6: ["2001:db8::1", "2001:db8::2"]])
        #expect(
            notLast.operations == [.deleteRecord(name: Self.name, type: .aaaa, data: .aaaa(IPv6Bytes("2001:db8::1")!))])
        // A family the vhost does not want goes entirely.
        let unwanted = FleetIntent(name: Self.name, withdraw: [.ipv6: ["2001:db8::1"]], wanted: [.ipv4])
        #expect(decide(unwanted, host: "web1", fleet: fleet, current: [.ipv6: ["2001:db8::1"]]).operations.count == 1)
    }

    @Test func registryRecordsAreParsedStrictly() throws {
        let entry = OwnershipEntry(host: "web1", address: "2001:db8::1", family: .ipv6, revision: Self.n1)
        #expect(OwnershipEntry.parse(entry.rdata) == entry)
        #expect(entry.text == "reconcile-owner host=web1 address=2001:db8::1 commit=\(Self.n1.commit) time=2000")
        let hostile = [
            "reconcile-owner host=web1 address=2001:DB8::1 commit=none time=1",  // not canonical
            "reconcile-owner host=web1 address=2001:db8::1 commit=none time=01",  // leading zero
            "reconcile-owner host=web1 address=192.0.2.1 commit=none time=1 extra=1",
            "reconcile-owner host=Web1 address=192.0.2.1 commit=none time=1",
            "reconcile-owner host=web1 address=192.0.2.1 commit=XYZ1234 time=1",
            "reconcile-owner host=web1\u{1b}[31m address=192.0.2.1 commit=none time=1",
            "reconcile-owner address=192.0.2.1 host=web1 commit=none time=1",
            "reconcile-owner host=web1 address=192.0.2.1 commit=none time=9999999999999",
            "heritage=external-dns,external-dns/owner=default",
        ]
        for text in hostile { #expect(OwnershipEntry.parse(.txt([Array(text.utf8)])) == nil, "\(text)") }
        #expect(OwnershipEntry.parse(.txt([Array("reconcile-owner".utf8), Array(entry.text.utf8)])) == nil)
        #expect(OwnershipEntry.parse(.txt([[UInt8](repeating: 0x61, count: 300)])) == nil)
        // Bounded: past the cap, records count as rejected.
        let many = (0..<100).map { i in
            ResourceRecord(
                name: Self.registryName, type: .txt, ttl: 60,
                data: OwnershipEntry(host: "web1", address: "192.0.2.\(i)", family: .ipv4, revision: Self.n).rdata)
        }
        let read = OwnershipRegistry.entries(many)
        #expect(read.entries.count == OwnershipRegistry.maxEntries)
        #expect(read.rejected == 100 - OwnershipRegistry.maxEntries)
        #expect(
            OwnershipRegistry.name(for: try DNSName("*.example.social."))?.description
                == "_reconcile._wildcard.example.social.")
    }

    @Test func heartbeatsAreParsedStrictly() throws {
        let beat = FleetHeartbeat(host: "web2", revision: Self.n)
        #expect(FleetHeartbeat.parse(.txt([Array(beat.text.utf8)])) == beat)
        #expect(
            FleetHeartbeat.name(in: try DNSName("example.social."))?.description == "_reconcile-hosts.example.social.")
        for text in [
            "reconcile-host host=web2 commit=none", "reconcile-host host=web2 commit=none time=1 x=1",
            "reconcile-host host=WEB2 commit=none time=1", "reconcile-host commit=none host=web2 time=1",
            "reconcile-owner host=web2 address=192.0.2.1 commit=none time=1",
        ] {
            #expect(FleetHeartbeat.parse(.txt([Array(text.utf8)])) == nil, "\(text)")
        }
    }
}

/// Which host a run is, and the forms `hosts:` refuses (DESIGN §15).
@Suite struct FleetRunTests {
    static let dns = "dns: {provider: rfc2136, server: 192.0.2.53, zones: [example.social]}\n"

    func load(_ text: String) throws -> DesiredState {
        try DesiredStateLoader(
            fileSystem: InMemoryFileSystem(
                files: [
                    "d/r.yaml": "nginx: {config: /etc/nginx/nginx.conf}\n" + text,
                    "d/v.yaml": "vhosts: {example.social: {}}\n",
                ],
                currentDirectory: "/")
        ).load(directory: "d")
    }

    func error(_ body: () throws(ReconcileError) -> DesiredState) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return error.description
        }
    }

    @Test func theRunIsScopedToItsHost() throws {
        let fleet = try load(
            Self.dns
                + "hosts: {web1: {ipv4: [192.0.2.1], ipv6: [\"2001:db8::1\"]}, web2: {ipv4: [192.0.2.2], ipv6: [\"2001:db8::2\"]}}\n"
        )
        let scoped = try FleetRun.scope(fleet, host: nil, interfaces: { ["127.0.0.1", "2001:db8::2"] })
        #expect(scoped.fleet?.selected == "web2")
        #expect(scoped.host.addresses(.ipv4) == ["192.0.2.2"])
        #expect(
            error { () throws(ReconcileError) in try FleetRun.scope(fleet, host: nil, interfaces: { ["127.0.0.1"] }) }?
                .contains("none of the hosts (web1, web2) has an address on this machine's interfaces") == true)
        let one = try load(Self.dns + "host: {ipv4: [192.0.2.1], ipv6: [\"2001:db8::1\"]}\n")
        #expect(
            error { () throws(ReconcileError) in try FleetRun.scope(one, host: "web1") }?
                .contains("--host web1: the desired state has one host (host:), not hosts:") == true)
        #expect(try FleetRun.scope(one, host: nil).fleet == nil)
        let zoneFile = try load(
            "dns: {provider: zonefile, zones: [example.social], zonefile: {path: /z}}\nhosts: {web1: {ipv4: [192.0.2.1], ipv6: [\"2001:db8::1\"]}}\n"
        )
        #expect(
            error { () throws(ReconcileError) in try FleetRun.scope(zoneFile, host: "web1") }?
                .contains("hosts: needs a DNS server every host writes to") == true)
    }
}

/// `validate` on a fleet's desired state, through the binary.
@Suite struct FleetValidateTests {
    @Test func validateListsEachVhostsHosts() throws {
        let dir = try TemporaryDirectory(prefix: "reconcile-fleet-validate")
        try dir.write(
            "desired/r.yaml",
            """
            hosts:
              web1: {ipv4: [203.0.113.1], ipv6: ["2001:db8::1"]}
              web2: {ipv4: [203.0.113.2]}
            nginx: {config: /etc/nginx/nginx.conf}
            dns: {provider: rfc2136, server: 192.0.2.53, zones: [example.social]}
            vhosts:
              a.example.social: {families: [ipv4]}
              b.example.social: {hosts: [web1]}

            """)
        let result = try ChildProcess.run(
            [OutageLab.binary, "validate", "-v", "--desired", "desired"], currentDirectory: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("a.example.social  families: ipv4  ports: 80, 443  hosts: web1, web2"))
        #expect(result.stdout.contains("b.example.social  families: ipv4, ipv6  ports: 80, 443  hosts: web1"))
        try dir.write("desired/v.yaml", "vhosts: {c.example.social: {hosts: [web3]}}\n")
        let bad = try ChildProcess.run(
            [OutageLab.binary, "validate", "--desired", "desired"], currentDirectory: dir.path)
        #expect(bad.status == 1)
        #expect(
            bad.stderr.contains(
                "desired/v.yaml:1:37: vhost \"c.example.social\" names host \"web3\", which hosts does not declare (web1, web2); did you mean \"web1\"?"
            ), "\(bad.stderr)")
    }
}

/// The service of a fleet host runs with its fleet flags.
@Suite struct FleetUnitsTests {
    @Test func theServiceCarriesTheFleetFlags() throws {
        var units = SystemdUnits(
            mode: .apply, executable: "/usr/bin/reconcile", desiredDir: "/etc/reconcile/desired-state")
        units.fleetHost = "web1"
        units.withdrawUnhealthy = true
        try units.validate()
        #expect(units.command.suffix(4) == ["--host", "web1", "--probe", "--withdraw-unhealthy"])
        #expect(units.service.contains("--host web1 --probe --withdraw-unhealthy"))
        units.mode = .plan
        #expect(units.command.suffix(3) == ["--host", "web1", "--withdraw-unhealthy"])
        units.fleetHost = "Web 1"
        #expect(throws: ReconcileError.self) { try units.validate() }
    }
}
