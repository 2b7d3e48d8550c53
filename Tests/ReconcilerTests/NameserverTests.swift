import DNS
import Foundation
import TestSupport
import Testing

/// DESIGN §14 live: what DNS publishes is what every authoritative server publishes. Real
/// BIND primary and secondary on loopback high ports, real nginx, the real binary.
@Suite(.serialized)
struct NameserverTests {
    /// The SOA serial `port` on 127.0.0.1 answers for example.social with authority, or nil.
    static func serial(port: UInt16) async -> UInt32? {
        guard let server = try? DNSServerAddress(host: "127.0.0.1", port: port) else { return nil }
        let zone = try? DNSName("example.social.")
        guard let zone, let result = try? await DNSClient(server: server, timeout: .seconds(2)).query(zone, .soa),
            result.authoritative, case .soa(let soa)? = result.records(.soa, of: zone).first?.data
        else { return nil }
        return soa.serial
    }

    static func waitForSerial(port: UInt16, equalTo target: UInt32?, timeout: Double = 20) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let serial = await serial(port: port), target == nil || serial == target { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    static func findings(_ result: ChildProcess.Result) throws -> [[String: Any]] {
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return json?["findings"] as? [[String: Any]] ?? []
    }

    /// The §1 outage left on a secondary: apply withdraws the AAAA of an IPv4-only vhost from
    /// the primary, and the secondary (NOTIFY off) keeps publishing it. Resolvers that ask the
    /// secondary still get an address nginx does not serve: plan says so, naming the
    /// secondary, the family and its serial, until the secondary catches up.
    @Test func aLaggingSecondaryKeepsThePlanOutOfSync() async throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: OutageSites.records,
            vhosts: """
                  example.social: {families: [ipv4, ipv6], ports: [PORT]}
                  media.example.social: {families: [ipv4], ports: [PORT]}

                """)
        defer { lab.stop() }
        let secondary = try NamedServer(
            zones: [.init(name: "example.social", contents: "", allowUpdate: false, secondaryOf: lab.named.port)],
            controlChannel: true)
        defer { secondary.stop() }
        let primarySerial = await Self.serial(port: lab.named.port)
        #expect(
            await Self.waitForSerial(port: secondary.port, equalTo: primarySerial),
            "the secondary never loaded the zone")
        let secondaryAddress = "127.0.0.1:\(secondary.port)"
        try lab.writeDesired(
            vhosts: """
                  example.social: {families: [ipv4, ipv6], ports: [PORT]}
                  media.example.social: {families: [ipv4], ports: [PORT]}

                """,
            dns: "nameservers: [\"127.0.0.1:\(lab.named.port)\", \"\(secondaryAddress)\"]")

        let before = try lab.reconcile(["plan", "--format", "json"])
        #expect(before.status == 2, "\(before.stderr)")
        #expect(try Self.findings(before).allSatisfy { $0["slug"] as? String != "nameservers-disagree" })

        // apply waits (bounded) for every authoritative server to serve the withdrawal, and
        // names the one still behind.
        let apply = try lab.reconcile(["apply", "--yes", "--propagation-timeout", "1"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(
            apply.stdout.contains(
                "warning: \(secondaryAddress) still serves media.example.social. AAAA ::1 after 1s, not (none); resolvers asking it get the old answer until it catches up"
            ), "\(apply.stdout)")
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
        let newSerial = try #require(await Self.serial(port: lab.named.port))
        #expect(newSerial != primarySerial)

        let lagging = try lab.reconcile(["plan", "--format", "json"])
        #expect(lagging.status == 2, "\(lagging.stdout)\(lagging.stderr)")
        let findings = try Self.findings(lagging)
        let disagree = try #require(findings.first { $0["slug"] as? String == "nameservers-disagree" }, "\(findings)")
        #expect(disagree["severity"] as? String == "critical")
        #expect(disagree["vhost"] as? String == "media.example.social")
        #expect(disagree["family"] as? String == "ipv6")
        let evidence = disagree["evidence"] as? [String] ?? []
        #expect(evidence.contains("\(secondaryAddress) (serial \(primarySerial ?? 0)): AAAA ::1"), "\(evidence)")
        #expect(evidence.contains("127.0.0.1:\(lab.named.port) (serial \(newSerial)): no AAAA"), "\(evidence)")
        #expect((disagree["message"] as? String)?.contains("\(secondaryAddress) differs") == true)
        // advertised-not-served is judged on the union: the secondary still advertises it.
        let outage = findings.filter { $0["slug"] as? String == "advertised-not-served" }
        #expect(outage.count == 1 && outage.first?["family"] as? String == "ipv6", "\(findings)")
        let outageEvidence = outage.first?["evidence"] as? [String] ?? []
        #expect(
            outageEvidence.contains("\(secondaryAddress): media.example.social. 300 IN AAAA ::1"), "\(outageEvidence)")
        let metrics = lab.dir.path + "/reconcile.prom"
        let text = try lab.reconcile(["plan", "--metrics-file", metrics])
        #expect(text.stdout.contains(" nameservers-disagree  ipv6"), "\(text.stdout)")
        let prom = try String(contentsOfFile: metrics, encoding: .utf8)
        let labels = "mode=\"plan\",zone=\"example.social.\",server="
        #expect(prom.contains("reconcile_nameserver_agrees{\(labels)\"\(secondaryAddress)\"} 0"), "\(prom)")
        #expect(prom.contains("reconcile_nameserver_agrees{\(labels)\"127.0.0.1:\(lab.named.port)\"} 1"), "\(prom)")
        #expect(
            prom.contains("reconcile_nameserver_serial{\(labels)\"\(secondaryAddress)\"} \(primarySerial ?? 0)"),
            "\(prom)")

        // The secondary catches up: in sync.
        let rndc = try #require(secondary.rndc)
        try ChildProcess.check(rndc + ["retransfer", "example.social"])
        #expect(await Self.waitForSerial(port: secondary.port, equalTo: newSerial))
        let caughtUp = try lab.reconcile(["plan", "--format", "json"])
        #expect(caughtUp.status == 0, "\(caughtUp.stdout)\(caughtUp.stderr)")
    }

    /// With a TSIG key every read is signed. A forger on the path (here: in place of the
    /// server) answers the signed AXFR with an unsigned REFUSED and serves forged unsigned
    /// answers: plan stops with an error naming the answer, and apply changes nothing.
    @Test func aSignedReadIsNeverDowngradedToForgedAnswers() async throws {
        let dual = OutageSites.media.replacingOccurrences(
            of: "listen 127.0.0.1:PORT ssl;", with: "listen 127.0.0.1:PORT ssl;\n    listen [::1]:PORT ssl;")
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": dual], records: OutageSites.records,
            vhosts: """
                  example.social: {families: [ipv4, ipv6], ports: [PORT]}
                  media.example.social: {families: [ipv4], ports: [PORT]}

                """)
        defer { lab.stop() }
        let forger = try ForgingDNSServer()
        defer { forger.stop() }
        try lab.writeDesired(
            vhosts: """
                  example.social: {families: [ipv4, ipv6], ports: [PORT]}
                  media.example.social: {families: [ipv4], ports: [PORT]}

                """, dnsPort: forger.port, dns: "nameservers: []")
        let files = try lab.siteFiles()
        let serial = await Self.serial(port: lab.named.port)

        let plan = try lab.reconcile(["plan"])
        #expect(plan.status == 1, "\(plan.stdout)\(plan.stderr)")
        #expect(
            plan.stderr.contains(
                "zone example.social.: the signed zone transfer from 127.0.0.1:\(forger.port) failed: DNS server 127.0.0.1:\(forger.port) refused"
            ), "\(plan.stderr)")
        #expect(plan.stderr.contains("reconcile does not fall back to unsigned queries"))
        #expect(!plan.stdout.contains("In sync"))

        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
        #expect(try lab.siteFiles() == files)
        #expect(await Self.serial(port: lab.named.port) == serial)
        #expect(!forger.requests.contains("opcode 5"), "an UPDATE was sent: \(forger.requests)")

        // Asked to read by queries, they are signed too, and a forged unsigned answer is refused.
        try lab.writeDesired(
            vhosts: """
                  example.social: {families: [ipv4, ipv6], ports: [PORT]}
                  media.example.social: {families: [ipv4], ports: [PORT]}

                """, dnsPort: forger.port, dns: "nameservers: []\ntransfer: queries")
        let queries = try lab.reconcile(["apply", "--yes"])
        #expect(queries.status == 1, "\(queries.stdout)\(queries.stderr)")
        #expect(queries.stderr.contains("127.0.0.1:\(forger.port)"), "\(queries.stderr)")
        #expect(try lab.siteFiles() == files)
        #expect(!forger.requests.contains("opcode 5"))
        #expect(forger.requests.contains("udp opcode 0 type 6"), "\(forger.requests)")
    }
}

extension NameserverTests {
    /// `provider: authoritative` for a zone hosted elsewhere: no server address, no key, two
    /// authoritative servers listed. Plan shows the §1 outage with file:line and the DNS record
    /// to add by hand; apply adds the listen, sends no DNS message and says what is left.
    @Test func theAuthoritativeProviderReadsAHostedZoneAndChangesOnlyNginx() async throws {
        let records = "@ IN A 127.0.0.1\nmedia IN A 127.0.0.1\nmedia IN AAAA ::1\n"
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media], records: records,
            vhosts: OutageSites.dualStack, allowUpdate: false)
        defer { lab.stop() }
        let zone = try String(contentsOfFile: try #require(lab.named.zoneFilePath("example.social")), encoding: .utf8)
        let other = try NamedServer(zones: [.init(name: "example.social", contents: zone, allowUpdate: false)])
        defer { other.stop() }
        try lab.writeDesired(
            dnsSection: """
                dns:
                  provider: authoritative
                  zones: [example.social]
                  nameservers: ["127.0.0.1:\(lab.named.port)", "127.0.0.1:\(other.port)"]

                """)
        let serials = (await Self.serial(port: lab.named.port), await Self.serial(port: other.port))

        let plan = try lab.reconcile(["plan"])
        #expect(plan.status == 2, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("critical RC001 advertised-not-served  ipv6 port \(lab.port)"), "\(plan.stdout)")
        #expect(plan.stdout.contains("nginx/sites/media.conf:2: listen 127.0.0.1:\(lab.port) ssl;"))
        #expect(plan.stdout.contains("+ example.social. 300 IN AAAA ::1"))
        #expect(plan.stdout.contains("authoritative servers 127.0.0.1:\(lab.named.port), 127.0.0.1:\(other.port)"))
        #expect(plan.stdout.contains("the union of 2 authoritative servers"))

        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 2, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("nginx: [::1]:\(lab.port) answers"), "\(apply.stdout)")
        #expect(apply.stdout.contains("since dns.provider is authoritative (read-only"), "\(apply.stdout)")
        #expect(apply.stdout.contains("  + example.social. 300 IN AAAA ::1"))
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        // No DNS message changed either server.
        #expect(await Self.serial(port: lab.named.port) == serials.0)
        #expect(await Self.serial(port: other.port) == serials.1)
        #expect(try await lab.published("example.social.", .aaaa) == [])

        let again = try lab.reconcile(["plan", "--format", "json"])
        #expect(again.status == 2)
        let kinds =
            (try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])?["actions"]
            as? [[String: Any]]
        #expect(kinds?.map { $0["kind"] as? String } == ["dns.add"])
    }
}

extension NameserverTests {
    /// A recursive resolver (real unbound, its every zone a stub on the lab's named) given as
    /// dns.server: cold, it refuses the non-recursive questions; warm, it answers them from
    /// its cache without authority. Either way plan stops with an error and proposes nothing,
    /// also once the zone changed behind the cache (a stale answer is never "in sync").
    @Test func aResolverAsTheServerIsNotAuthoritative() async throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: OutageSites.records, vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        let resolver = try UnboundServer(stubs: ["example.social": lab.named.port, ".": lab.named.port])
        defer { resolver.stop() }
        try lab.writeDesired(vhosts: OutageSites.dualStack, dnsPort: resolver.port, dns: "nameservers: []", tsig: false)
        func plan() throws -> ChildProcess.Result { try lab.reconcile(["plan", "--format", "json"]) }

        let cold = try plan()
        #expect(cold.status == 1, "\(cold.stdout)\(cold.stderr)")
        #expect(cold.stdout.contains("zone example.social.: "), "\(cold.stdout)")
        #expect(!cold.stdout.contains("\"actions\""))

        // Warm its cache as clients would (recursively): SOA and media's records.
        let client = DNSClient(server: try DNSServerAddress(host: "127.0.0.1", port: resolver.port))
        let zone = try DNSName("example.social.")
        let media = try DNSName("media.example.social.")
        for (name, type) in [(zone, RecordType.soa), (media, .a), (media, .aaaa), (media, .cname)] {
            let answer = try await client.query(name, type, recursionDesired: true)
            #expect(!answer.authoritative)
        }
        let notAuthoritative =
            "127.0.0.1:\(resolver.port) is not authoritative for example.social.: it answered example.social. SOA without the AA bit"
        let warm = try plan()
        #expect(warm.status == 1, "\(warm.stdout)\(warm.stderr)")
        #expect(warm.stdout.contains(notAuthoritative), "\(warm.stdout)")
        #expect(!warm.stdout.contains("\"actions\""))

        // The AAAA goes at the primary; the resolver's cache still has it: still an error.
        let key = try TSIGKey.parse(lab.named.key("hmac-sha256")?.keyFile ?? "", source: "lab")
        let primary = DNSClient(server: try DNSServerAddress(host: "127.0.0.1", port: lab.named.port))
        try await primary.update(
            zone: zone, changes: [UpdateChange(operations: [.deleteRRset(name: media, type: .aaaa)])], key: key)
        let stale = try plan()
        #expect(stale.status == 1, "\(stale.stdout)\(stale.stderr)")
        #expect(stale.stdout.contains(notAuthoritative), "\(stale.stdout)")
    }
}

extension NameserverTests {
    /// `nameservers: auto` as it runs on a real host, in a private network namespace where the
    /// zone's NS records can point at port 53: ns1 (in the zone, 127.0.0.1 and ::1) is the BIND
    /// primary, ns2.example.net. (outside it, found through a real recursive resolver: unbound,
    /// every zone a stub on the primary) is a BIND secondary on 127.0.0.2 and fd00:53::2 with
    /// NOTIFY off. All four addresses are asked; a change the secondary has not transferred is
    /// named per address and family; once it catches up, the plan agrees.
    @Test(
        .enabled(
            if: ServerBinary.isCI || PrivateNetwork.isAvailable, "needs CAP_SYS_ADMIN for a private network namespace"))
    func autoFindsEveryAuthoritativeServerOverBothFamilies() throws {
        try #require(PrivateNetwork.isAvailable, "needs CAP_SYS_ADMIN for a private network namespace")
        let ip = try ServerBinary.require("ip")
        let nsupdate = try ServerBinary.require("nsupdate")
        try PrivateNetwork.run {
            // named listens only on addresses an interface has.
            try ChildProcess.check([ip, "addr", "add", "127.0.0.2/8", "dev", "lo"])
            try ChildProcess.check([ip, "-6", "addr", "add", "fd00:53::2/128", "dev", "lo"])
            let lab = try OutageLab(
                sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
                records: OutageSites.records, vhosts: OutageSites.dualStack)
            defer { lab.stop() }
            let social = """
                $ORIGIN example.social.
                $TTL 300
                @ IN SOA ns1 hostmaster 2026120101 3600 900 1209600 300
                @ IN NS ns1
                @ IN NS ns2.example.net.
                ns1 IN A 127.0.0.1
                ns1 IN AAAA ::1
                \(OutageSites.records)

                """
            let net = """
                $ORIGIN example.net.
                $TTL 300
                @ IN SOA ns1.example.social. hostmaster 2026120101 3600 900 1209600 300
                @ IN NS ns1.example.social.
                ns2 IN A 127.0.0.2
                ns2 IN AAAA fd00:53::2

                """
            let primary = try NamedServer(
                zones: [.init(name: "example.social", contents: social), .init(name: "example.net", contents: net)],
                keyAlgorithms: ["hmac-sha256"], port: 53, addresses: ["127.0.0.1", "::1"])
            defer { primary.stop() }
            let secondary = try NamedServer(
                zones: [.init(name: "example.social", contents: "", allowUpdate: false, secondaryOf: 53)],
                keyAlgorithms: [], controlChannel: true, port: 53, addresses: ["127.0.0.2", "fd00:53::2"])
            defer { secondary.stop() }
            let transferred = secondary.directory.path + "/zone-example.social.db"
            let deadline = Date().addingTimeInterval(20)
            while !FileManager.default.fileExists(atPath: transferred) && Date() < deadline { usleep(50_000) }
            #expect(FileManager.default.fileExists(atPath: transferred), "the secondary never transferred the zone")
            let resolver = try UnboundServer(stubs: ["example.social": 53, "example.net": 53, ".": 53])
            defer { resolver.stop() }
            try lab.writeDesired(
                dnsSection: """
                    dns:
                      provider: rfc2136
                      server: "127.0.0.1:53"
                      zones: [example.social]
                      nameservers: auto
                      resolver: "127.0.0.1:\(resolver.port)"

                    """)
            func plan() throws -> (status: Int32, json: [String: Any], text: String) {
                let result = try lab.reconcile(["plan", "--format", "json"])
                let json = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
                return (result.status, json, result.stdout + result.stderr)
            }
            func slugs(_ json: [String: Any]) -> [String] {
                (json["findings"] as? [[String: Any]] ?? []).compactMap { $0["slug"] as? String }
            }

            // The §1 outage, seen the same by all four addresses of the two NS names.
            let first = try plan()
            #expect(first.status == 2, "\(first.text)")
            #expect(
                (first.json["dns_source"] as? String)?.contains("asked 4 authoritative servers (4 answered)") == true,
                "\(first.text)")
            #expect(slugs(first.json) == ["advertised-not-served"], "\(first.text)")

            // The primary drops media's AAAA; the secondary has not transferred it.
            let key = try lab.dir.write("keys/primary.key", primary.key("hmac-sha256")?.keyFile ?? "").path
            let update = try ChildProcess.run(
                [nsupdate, "-k", key],
                input: Data(
                    "server 127.0.0.1 53\nzone example.social\nupdate delete media.example.social. AAAA\nsend\n".utf8))
            #expect(update.succeeded, "\(update.stderr)")
            let lagging = try plan()
            #expect(lagging.status == 2, "\(lagging.text)")
            let disagree = (lagging.json["findings"] as? [[String: Any]] ?? []).filter {
                $0["slug"] as? String == "nameservers-disagree"
            }
            #expect(disagree.count == 1 && disagree.first?["family"] as? String == "ipv6", "\(lagging.text)")
            let evidence = (disagree.first?["evidence"] as? [String] ?? []).joined(separator: "\n")
            for address in ["127.0.0.2:53", "[fd00:53::2]:53"] {
                #expect(evidence.contains("ns2.example.net. (\(address)) (serial 2026120101): AAAA ::1"), "\(evidence)")
            }
            for address in ["127.0.0.1:53", "[::1]:53"] {
                #expect(
                    evidence.contains("ns1.example.social. (\(address)) (serial 2026120102): no AAAA"), "\(evidence)")
            }

            // The secondary catches up: the servers agree again.
            try ChildProcess.check((secondary.rndc ?? []) + ["retransfer", "example.social"])
            var caughtUp = try plan()
            let until = Date().addingTimeInterval(20)
            while slugs(caughtUp.json).contains("nameservers-disagree") && Date() < until {
                usleep(200_000)
                caughtUp = try plan()
            }
            #expect(!slugs(caughtUp.json).contains("nameservers-disagree"), "\(caughtUp.text)")
            #expect(!slugs(caughtUp.json).contains("nameserver-unreachable"), "\(caughtUp.text)")
        }
    }
}

extension NameserverTests {
    /// A wrong key against real PowerDNS (it answers the signed AXFR with an unsigned error) is
    /// an error of the plan naming the answer, never a fall back to unsigned queries; the
    /// right key reads the zone by signed AXFR.
    @Test func aWrongKeyAgainstPowerDNSIsAnErrorNotAFallback() async throws {
        let lab = try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: OutageSites.records, vhosts: OutageSites.dualStack)
        defer { lab.stop() }
        let zone = try String(contentsOfFile: try #require(lab.named.zoneFilePath("example.social")), encoding: .utf8)
        let secret = Data((0..<32).map { UInt8(($0 * 37 + 11) & 0xFF) }).base64EncodedString()
        let pdns = try PowerDNSServer(
            zone: ("example.social", zone), key: ("reconcile-hmac-sha256", "hmac-sha256", secret))
        defer { pdns.stop() }
        let keyPath = lab.dir.path + "/keys/tsig.key"
        let wrong = Data((0..<32).map { UInt8(($0 * 53 + 7) & 0xFF) }).base64EncodedString()
        for (secretInFile, works) in [(wrong, false), (secret, true)] {
            try "key \"reconcile-hmac-sha256\" {\n\talgorithm hmac-sha256;\n\tsecret \"\(secretInFile)\";\n};\n"
                .write(toFile: keyPath, atomically: true, encoding: .utf8)
            chmod(keyPath, 0o600)
            try lab.writeDesired(vhosts: OutageSites.dualStack, dnsPort: pdns.port, dns: "nameservers: []")
            let plan = try lab.reconcile(["plan"])
            if works {
                #expect(plan.status == 2, "\(plan.stdout)\(plan.stderr)")
                #expect(
                    plan.stdout.contains("example.social. AXFR from 127.0.0.1:\(pdns.port), signed"), "\(plan.stdout)")
                #expect(plan.stdout.contains("critical RC001 advertised-not-served  ipv6"))
            } else {
                #expect(plan.status == 1, "\(plan.stdout)\(plan.stderr)")
                #expect(
                    plan.stderr.contains("the signed zone transfer from 127.0.0.1:\(pdns.port) failed"),
                    "\(plan.stderr)")
                #expect(plan.stderr.contains("reconcile does not fall back to unsigned queries"))
                #expect(!plan.stdout.contains("RC001"))
            }
        }
    }
}
