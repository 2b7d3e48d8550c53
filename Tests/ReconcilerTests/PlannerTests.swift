import DNS
import DesiredState
import Foundation
import Nginx
import Reconciler
import Testing

/// The pure planner on in-memory inputs: each finding kind, each action, no I/O.
@Suite struct PlannerTests {
    static let base = """
        host: {ipv4: [203.0.113.10], ipv6: ["2001:db8::10"]}
        nginx: {config: /etc/nginx/nginx.conf}
        dns: {provider: rfc2136, server: "[::1]:53", zones: [example.social]}

        """

    func plan(
        vhosts: String, sites: String, records: String, interfaces: Set<String>? = nil, runtime: NginxRuntime? = nil
    ) throws -> Plan {
        try Self.planner(vhosts: vhosts, sites: sites, records: records, interfaces: interfaces, runtime: runtime)
            .plan()
    }

    /// The planner of `vhosts` (the lines under `vhosts:`), one site file and one zone's records.
    static func planner(
        vhosts: String, sites: String, records: String, interfaces: Set<String>? = nil, runtime: NginxRuntime? = nil,
        now: Date = Date()
    ) throws -> Planner {
        let fs = InMemoryFileSystem(
            files: ["d/base.yaml": Self.base, "d/v.yaml": "vhosts:\n" + vhosts], currentDirectory: "/")
        let desired = try DesiredStateLoader(fileSystem: fs).load(directory: "d")
        let tree = try NginxConfigTree.load(
            mainConfig: "/etc/nginx/nginx.conf",
            reader: InMemoryNginxFileReader(textFiles: [
                "/etc/nginx/nginx.conf": "events {}\nhttp {\n    include sites/*.conf;\n}\n",
                "/etc/nginx/sites/a.conf": sites,
            ]))
        let zone = try DNSName("example.social.")
        var parsed: [ResourceRecord] = []
        for line in records.split(separator: "\n") {
            parsed.append(try ResourceRecord(presentation: String(line), origin: zone))
        }
        var observation = Observation(
            nginx: tree,
            dns: DNSObservation(zones: [zone: ZoneSnapshot(zone: zone, serial: 1, source: .axfr, records: parsed)]),
            interfaces: interfaces.map(HostInterfaces.init(addresses:)), dnsSource: "test")
        observation.nginxRuntime = runtime
        return Planner(
            desired: desired, observation: observation, fingerprint: DesiredFingerprint(digest: "d"),
            displayBase: "/etc", now: now)
    }

    func slugs(_ plan: Plan) -> [String] {
        plan.findings.map { "\($0.vhost) \($0.slug) \($0.family?.rawValue ?? "-") \($0.port.map(String.init) ?? "-")" }
    }

    @Test func inSyncWhenEveryFamilyIsServedAndPublished() throws {
        let p = try plan(
            vhosts: "  a.example.social: {ports: [443]}\n",
            sites: "server { listen 443 ssl; listen [::]:443 ssl; server_name a.example.social; }\n",
            records: "a.example.social. 300 IN A 203.0.113.10\na.example.social. 300 IN AAAA 2001:db8::10")
        #expect(p.inSync)
        #expect(p.findings.isEmpty)
        #expect(p.actions.isEmpty)
    }

    @Test func filesNginxHasNotLoadedAreAnErrorNamingThem() throws {
        let loaded = Date(timeIntervalSince1970: 1_764_000_000)
        let runtime = NginxRuntime(
            masterPID: 4242, loadedAt: loaded,
            unloadedFiles: [.init(path: "/etc/nginx/sites/a.conf", modified: loaded.addingTimeInterval(60))])
        let p = try plan(
            vhosts: "  a.example.social: {ports: [443]}\n",
            sites: "server { listen 443 ssl; listen [::]:443 ssl; server_name a.example.social; }\n",
            records: "a.example.social. 300 IN A 203.0.113.10\na.example.social. 300 IN AAAA 2001:db8::10",
            runtime: runtime)
        #expect(slugs(p) == ["nginx/nginx.conf config-not-loaded - -"])
        let finding = try #require(p.findings.first)
        #expect(finding.code == "RC013")
        #expect(finding.severity == .error)
        #expect(!p.inSync)
        #expect(finding.message.contains("nginx (master 4242) last loaded its configuration at 2025-11-24T16:00:00Z"))
        #expect(finding.evidence == ["nginx/sites/a.conf: modified 2025-11-24T16:01:00Z"])
        // Everything loaded: no finding.
        let clean = try plan(
            vhosts: "  a.example.social: {ports: [443]}\n",
            sites: "server { listen 443 ssl; listen [::]:443 ssl; server_name a.example.social; }\n",
            records: "a.example.social. 300 IN A 203.0.113.10\na.example.social. 300 IN AAAA 2001:db8::10",
            runtime: NginxRuntime(masterPID: 4242, loadedAt: loaded, unloadedFiles: []))
        #expect(clean.inSync)
    }

    @Test func theMasterTitleNamesTheConfigurationItRuns() {
        #expect(
            NginxRuntime.configuration(
                fromMasterCommandLine: "nginx: master process /usr/sbin/nginx -p /srv/lab/ -c /srv/lab/nginx.conf -e x")
                == "/srv/lab/nginx.conf")
        #expect(
            NginxRuntime.configuration(
                fromMasterCommandLine: "nginx: master process /usr/sbin/nginx -p /srv/lab -c conf/n.conf")
                == "/srv/lab/conf/n.conf")
        #expect(
            NginxRuntime.configuration(
                fromMasterCommandLine: "nginx: master process /usr/sbin/nginx -g daemon on; master_process on;")
                == "/etc/nginx/nginx.conf")
        #expect(NginxRuntime.configuration(fromMasterCommandLine: "nginx: worker process") == nil)
    }

    @Test func missingServerBlockIsReportedAndNothingIsPublished() throws {
        let p = try plan(
            vhosts: "  new.example.social: {families: [ipv4], ports: [443]}\n",
            sites: "server { listen 443 ssl; server_name other.example.social; }\n", records: "")
        #expect(slugs(p).contains("new.example.social missing-server-block - -"))
        // Publishing A now would advertise what no block serves.
        #expect(!p.actions.contains { $0.kind == .dnsAdd })
        #expect(p.findings.first { $0.kind == .missingRecord }?.message.contains("once nginx serves") == true)
    }

    @Test func aSpecificAddressListenCapturesTheSocket() throws {
        // The own block listens on [::]:443, but another block binds the host's own IPv6
        // address on 443: nginx matches address first, so IPv6 requests never reach it.
        let p = try plan(
            vhosts: "  a.example.social: {ports: [443]}\n",
            sites: """
                server { listen 443 ssl; listen [::]:443 ssl; server_name a.example.social; }
                server { listen [2001:db8::10]:443 ssl; server_name b.example.social; }

                """,
            records: "a.example.social. 300 IN A 203.0.113.10\na.example.social. 300 IN AAAA 2001:db8::10")
        #expect(slugs(p).contains("a.example.social answered-by-other-block ipv6 443"))
        #expect(p.findings.first { $0.kind == .answeredByOtherBlock }?.severity == .critical)
        #expect(!p.actions.contains { $0.kind == .nginxAddListen })
    }

    @Test func wrongAddressIsReplacedWithAPrerequisite() throws {
        let p = try plan(
            vhosts: "  a.example.social: {families: [ipv4], ports: [443]}\n",
            sites: "server { listen 443 ssl; server_name a.example.social; }\n",
            records: "a.example.social. 300 IN A 198.51.100.7")
        #expect(slugs(p) == ["a.example.social wrong-address ipv4 -", "a.example.social missing-record ipv4 -"])
        #expect(p.actions.map(\.kind) == [.dnsDelete, .dnsAdd])
        #expect(p.actions.map(\.value) == ["198.51.100.7", "203.0.113.10"])
        let change = try #require(p.dnsChanges.first?.changes.first)
        #expect(change.expected == ["198.51.100.7"])
        #expect(p.dnsChanges.first?.phase == .advertise)
    }

    @Test func aaaaForAnIPv4OnlyVhostThatNginxDoesNotServeIsTheOutage() throws {
        let p = try plan(
            vhosts: "  legacy.example.social: {families: [ipv4], ports: [443]}\n",
            sites: "server { listen 443 ssl; server_name legacy.example.social; }\n",
            records: "legacy.example.social. 300 IN A 203.0.113.10\nlegacy.example.social. 300 IN AAAA 2001:db8::10")
        #expect(slugs(p) == ["legacy.example.social advertised-not-served ipv6 443"])
        #expect(p.actions.map(\.kind) == [.dnsDelete])
        #expect(p.actions.first?.phase == .withdraw)
    }

    @Test func aaaaForAnIPv4OnlyVhostThatIsServedIsUndesired() throws {
        let p = try plan(
            vhosts: "  legacy.example.social: {families: [ipv4], ports: [443]}\n",
            sites: "server { listen 443 ssl; listen [::]:443 ssl; server_name legacy.example.social; }\n",
            records: "legacy.example.social. 300 IN A 203.0.113.10\nlegacy.example.social. 300 IN AAAA 2001:db8::10")
        #expect(
            slugs(p) == [
                "legacy.example.social undesired-record ipv6 -", "legacy.example.social undesired-listen ipv6 443",
            ])
        // Withdraw before unserve.
        #expect(p.actions.map(\.kind) == [.dnsDelete, .nginxRemoveListen])
        #expect(p.actions.map(\.phase) == [.withdraw, .unserve])
        #expect(p.actions.last?.text == "listen [::]:443 ssl;")
    }

    @Test func cnameOutOfTheManagedZonesIsNeverFixed() throws {
        let p = try plan(
            vhosts: "  cdn.example.social: {ports: [443]}\n",
            sites: "server { listen 443 ssl; listen [::]:443 ssl; server_name cdn.example.social; }\n",
            records: "cdn.example.social. 300 IN CNAME edge.cdn-provider.example.")
        #expect(slugs(p) == ["cdn.example.social external-cname - -"])
        #expect(p.actions.isEmpty)
        #expect(p.inSync)
    }

    @Test func cnameInsideTheZoneIsFollowed() throws {
        let p = try plan(
            vhosts: "  www.example.social: {ports: [443]}\n  example.social: {ports: [443]}\n",
            sites: "server { listen 443 ssl; listen [::]:443 ssl; server_name example.social www.example.social; }\n",
            records: """
                www.example.social. 300 IN CNAME example.social.
                example.social. 300 IN A 203.0.113.10
                example.social. 300 IN AAAA 2001:db8::10
                """)
        #expect(p.findings.isEmpty)
        #expect(p.inSync)
    }

    @Test func namesNginxServesButTheDesiredStateDoesNotListAreInfo() throws {
        let p = try plan(
            vhosts: "  a.example.social: {families: [ipv4], ports: [443]}\n",
            sites: "server { listen 443 ssl; server_name a.example.social old.example.social example.org; }\n",
            records: "a.example.social. 300 IN A 203.0.113.10")
        #expect(slugs(p) == ["old.example.social unmanaged-vhost - -"])
        #expect(p.findings.first?.severity == .info)
        #expect(p.inSync)
    }

    @Test func hostAddressesMissingFromTheInterfacesAreWarnings() throws {
        let p = try plan(
            vhosts: "  a.example.social: {families: [ipv4], ports: [443]}\n",
            sites: "server { listen 443 ssl; server_name a.example.social; }\n",
            records: "a.example.social. 300 IN A 203.0.113.10", interfaces: ["127.0.0.1", "203.0.113.10", "::1"])
        #expect(slugs(p) == ["2001:db8::10 address-not-on-host ipv6 -"])
        #expect(p.inSync)
    }

    @Test func twoMissingListensInOneBlockAreOneEditOfTheFile() throws {
        let p = try plan(
            vhosts: "  a.example.social: {families: [ipv4, ipv6], ports: [80, 443]}\n",
            sites: "server {\n    listen 80;\n    listen 443 ssl;\n    server_name a.example.social;\n}\n",
            records: "a.example.social. 300 IN A 203.0.113.10")
        #expect(
            p.actions.filter { $0.kind == .nginxAddListen }.map(\.text) == ["listen [::]:80;", "listen [::]:443 ssl;"])
        #expect(p.actions.filter { $0.kind == .nginxAddListen }.map(\.line) == [4, 5])
        // The edits are ranges of the file as read; made together they give the file after serve.
        let sites = "server {\n    listen 80;\n    listen 443 ssl;\n    server_name a.example.social;\n}\n"
        let edits = try #require(p.nginxEdits(through: .serve).values.first)
        #expect(
            String(decoding: NginxListenEdit.applied(edits, to: Array(sites.utf8)) ?? [], as: UTF8.self)
                == "server {\n    listen 80;\n    listen 443 ssl;\n    listen [::]:80; # managed by reconcile\n    listen [::]:443 ssl; # managed by reconcile\n    server_name a.example.social;\n}\n"
        )
        // Served first, then advertised.
        #expect(p.actions.map(\.phase) == [.serve, .serve, .advertise])
    }
}

/// The text form stays readable at scale: names with only informational findings are
/// counted unless `-v` asks for them.
@Suite struct PlanTextTests {
    @Test func informationalSubjectsAreCountedUnlessVerbose() throws {
        let names = (1...5).map { "n\($0).example.social" }
        let plan = Plan(
            createdAt: "t", desired: DesiredFingerprint(digest: "d"),
            findings: names.map { Finding(kind: .unmanagedVhost, vhost: $0, message: "m") }
                + [Finding(kind: .missingListen, vhost: "a.example.social", family: .ipv6, port: 443, message: "x")],
            actions: [], notes: [], preconditions: Preconditions(nginxFiles: [], recordSets: []), dnsSource: "s",
            nginxConfig: "c")
        let short = PlanText(color: false, displayBase: "/").render(plan)
        #expect(short.contains("info 5 more names have only informational findings (unmanaged-vhost); -v lists them"))
        #expect(!short.contains("n1.example.social"))
        #expect(short.contains("a.example.social"))
        let long = PlanText(color: false, displayBase: "/", verbose: true).render(plan)
        #expect(names.allSatisfy { long.contains($0) })
        #expect(!long.contains("more names"))
    }
}

@Suite struct SafetyLimitTests {
    func dnsPlan(deletions: Int, additions: Int) -> Plan {
        let delete = (0..<deletions).map { i in
            Action.dns(
                .dnsDelete, phase: .withdraw, vhost: "v\(i)", family: .ipv4,
                record: RecordEdit(
                    zone: "example.social.", name: "v\(i).example.social.", ttl: 300, value: "198.51.100.\(i)",
                    prerequisite: ["198.51.100.\(i)"]))
        }
        let add = (0..<additions).map { i in
            Action.dns(
                .dnsAdd, phase: .advertise, vhost: "w\(i)", family: .ipv4,
                record: RecordEdit(
                    zone: "example.social.", name: "w\(i).example.social.", ttl: 300, value: "203.0.113.10",
                    prerequisite: []))
        }
        return Plan(
            createdAt: "t", desired: DesiredFingerprint(digest: "d"), findings: [], actions: add + delete, notes: [],
            preconditions: Preconditions(nginxFiles: [], recordSets: []), dnsSource: "s", nginxConfig: "c")
    }

    @Test func deletingMoreThanThirtyPercentIsRefused() {
        #expect(ApplyChecks.safetyLimit(dnsPlan(deletions: 4, additions: 0), managedRecords: 10) != nil)
        #expect(ApplyChecks.safetyLimit(dnsPlan(deletions: 3, additions: 0), managedRecords: 10) == nil)
        // A small zone can still lose a record or three.
        #expect(ApplyChecks.safetyLimit(dnsPlan(deletions: 1, additions: 0), managedRecords: 2) == nil)
    }

    @Test func tooManyChangesInOneZoneAreRefused() {
        #expect(
            ApplyChecks.zoneChangeLimit(dnsPlan(deletions: 2, additions: 4), maxChangesPerZone: 5)
                == "the plan changes 6 records of zone example.social. (more than 5, see --max-zone-changes)")
        #expect(ApplyChecks.zoneChangeLimit(dnsPlan(deletions: 2, additions: 3), maxChangesPerZone: 5) == nil)
    }
}
