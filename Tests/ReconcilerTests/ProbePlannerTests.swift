import DNS
import DesiredState
import Nginx
import Probe
import Reconciler
import Testing

/// Which targets the probe picks, decided from the desired state, the zone and nginx's tree
/// alone (no network).
@Suite struct ProbePlannerTests {
    /// example.social on both families and two ports; media published only over IPv4 (its
    /// AAAA not there yet); cdn an in-zone CNAME to media; ext a CNAME out of the zones;
    /// a wildcard; admin on 8080 (its block says ssl) and 8081 (plain).
    static let desiredFiles = [
        "d/base.yaml": """
        host: {ipv4: [100.64.0.10, 100.64.0.11], ipv6: ["fd00:5::10"]}
        nginx: {config: /n/nginx.conf}
        dns: {provider: rfc2136, server: 192.0.2.53, zones: [example.social]}
        """,
        "d/vhosts.yaml": """
        vhosts:
          example.social: {families: [ipv4, ipv6], ports: [80, 443]}
          media.example.social: {families: [ipv4, ipv6], ports: [443]}
          cdn.example.social: {families: [ipv4, ipv6], ports: [443]}
          ext.example.social: {families: [ipv6], ports: [443]}
          "*.users.example.social": {families: [ipv4], ports: [443]}
          admin.example.social: {families: [ipv4], ports: [8080, 8081]}
        """,
    ]

    static let zone = """
        $ORIGIN example.social.
        $TTL 300
        @ IN SOA ns1 hostmaster 1 3600 900 1209600 300
          IN NS ns1
        ns1 IN A 100.64.0.10
        @ IN A 100.64.0.10
        @ IN AAAA fd00:5::10
        media IN A 100.64.0.10
        media IN A 100.64.1.7
        cdn IN CNAME media
        ext IN CNAME edge.cdn.example.net.
        admin IN A 100.64.0.11

        """

    static let nginx = """
        http {
            server { listen 80; listen [::]:80; listen 443 ssl; listen [::]:443 ssl; server_name example.social; }
            server { listen 443 ssl; server_name media.example.social cdn.example.social; }
            server { listen 100.64.0.11:8080 ssl; listen 100.64.0.11:8081; server_name admin.example.social; }
        }
        """

    static func schedule() throws -> ProbePlanner.Schedule {
        let desired = try DesiredStateLoader(fileSystem: InMemoryFileSystem(files: desiredFiles)).load(directory: "d")
        let origin = try DNSName("example.social.")
        let file = try ZoneFile.parse(Array(zone.utf8), path: "example.social.zone", origin: origin)
        let dns = DNSObservation(zones: [
            origin: ZoneSnapshot(zone: origin, serial: 1, source: .zoneFile, records: file.records)
        ])
        let tree = try NginxConfigTree.load(
            mainConfig: "/n/nginx.conf", reader: InMemoryNginxFileReader(textFiles: ["/n/nginx.conf": nginx]))
        return ProbePlanner(desired: desired, dns: dns, nginx: tree).schedule()
    }

    /// `vhost family port address tls|plain`, one string per target.
    static func describe(_ targets: [ProbeTarget]) -> [String] {
        targets.map { "\($0.vhost) \($0.family.rawValue) \($0.port) \($0.address) \($0.tls ? "tls" : "plain")" }
    }

    @Test func probesThePublishedAddressesOfEachDesiredFamilyAndPort() throws {
        let targets = Self.describe(try Self.schedule().targets)
        #expect(
            targets.filter { $0.hasPrefix("example.social ") } == [
                "example.social ipv4 80 100.64.0.10 plain",
                "example.social ipv4 443 100.64.0.10 tls",
                "example.social ipv6 80 fd00:5::10 plain",
                "example.social ipv6 443 fd00:5::10 tls",
            ])
        // Every address DNS publishes is probed, also one that is not the host's (the probe
        // says what clients see; the planner reports the wrong address).
        #expect(
            targets.filter { $0.hasPrefix("media.example.social ipv4") } == [
                "media.example.social ipv4 443 100.64.0.10 tls",
                "media.example.social ipv4 443 100.64.1.7 tls",
            ])
    }

    @Test func aFamilyDNSDoesNotPublishIsProbedOnTheHostsAddressesWithANote() throws {
        let schedule = try Self.schedule()
        let targets = Self.describe(schedule.targets)
        #expect(
            targets.filter { $0.hasPrefix("media.example.social ipv6") } == [
                "media.example.social ipv6 443 fd00:5::10 tls"
            ])
        #expect(
            schedule.notes.contains(
                "media.example.social ipv6: DNS publishes no AAAA record for it; probing the host's addresses fd00:5::10"
            ))
    }

    @Test func inZoneCNAMEsAreFollowedAndOneLeavingTheZonesFallsBackToTheHost() throws {
        let schedule = try Self.schedule()
        let targets = Self.describe(schedule.targets)
        #expect(
            targets.filter { $0.hasPrefix("cdn.example.social ") } == [
                "cdn.example.social ipv4 443 100.64.0.10 tls",
                "cdn.example.social ipv4 443 100.64.1.7 tls",
                "cdn.example.social ipv6 443 fd00:5::10 tls",
            ])
        #expect(
            targets.filter { $0.hasPrefix("ext.example.social ") } == ["ext.example.social ipv6 443 fd00:5::10 tls"])
        #expect(
            schedule.notes.contains {
                $0.hasPrefix("ext.example.social ipv6: its addresses are not in the managed zones")
            })
    }

    @Test func tlsFollowsTheOwnBlocksSSLListensOffPort443() throws {
        let targets = Self.describe(try Self.schedule().targets)
        #expect(
            targets.filter { $0.hasPrefix("admin.example.social ") } == [
                "admin.example.social ipv4 8080 100.64.0.11 tls",
                "admin.example.social ipv4 8081 100.64.0.11 plain",
            ])
    }

    @Test func wildcardVhostsAreSkippedWithANote() throws {
        let schedule = try Self.schedule()
        #expect(!schedule.targets.contains { $0.vhost.contains("users") })
        #expect(schedule.notes.contains { $0.hasPrefix("*.users.example.social: not probed") })
        // Undesired families are never probed.
        #expect(!schedule.targets.contains { $0.vhost == "admin.example.social" && $0.family == .ipv6 })
    }
}

/// Documentation ranges are never a real host: probing them would only reach whatever
/// intercepts such traffic.
@Suite struct DocumentationAddressTests {
    @Test(arguments: ["192.0.2.1", "198.51.100.7", "203.0.113.10", "2001:db8::10", "2001:DB8:ffff::1"])
    func areRecognised(_ address: String) {
        #expect(ProbePlanner.isDocumentationAddress(address))
    }

    @Test(arguments: ["127.0.0.1", "::1", "192.0.3.1", "203.0.114.1", "2001:db9::1", "100.64.0.10", "fd00:5::10"])
    func othersAreNot(_ address: String) {
        #expect(!ProbePlanner.isDocumentationAddress(address))
    }
}
