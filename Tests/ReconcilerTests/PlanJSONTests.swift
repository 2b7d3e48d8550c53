import Foundation
import Nginx
import Testing

@testable import Reconciler

/// The plan's JSON is written in one pass by `PlanJSONWriter`; it must stay byte for byte
/// what `JSONEncoder` made of the same plan (saved plans and the golden files depend on it).
@Suite struct PlanJSONTests {
    static let nasty = String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }) + "é/\\\"\u{2028}😀 \u{7F}"

    static func encoderBytes(_ plan: Plan) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(plan))
    }

    @Test func everyFieldAndEveryEscapeMatchJSONEncoder() throws {
        let plan = Plan(
            createdAt: "2026-12-01T08:00:00Z",
            desired: DesiredFingerprint(digest: "abc", gitCommit: Self.nasty, gitDirty: true),
            findings: [
                Finding(
                    kind: .advertisedNotServed, vhost: Self.nasty, family: .ipv6, port: 443, message: Self.nasty,
                    evidence: [Self.nasty, ""],
                    answeredBy: .init(file: "/etc/nginx/\(Self.nasty)", line: 3, serverNames: [Self.nasty, "b"])),
                {
                    var critical = Finding(kind: .nameserversDisagree, vhost: "c.example", message: "m")
                    critical.severityOverride = .critical
                    return critical
                }(),
                Finding(kind: .unmanagedVhost, vhost: "b.example", message: "m"),
            ],
            actions: [
                .nginx(
                    .nginxAddListen, phase: .serve, vhost: "a", family: .ipv6, port: 443,
                    edit: NginxListenEdit(
                        path: "/a/b.conf", offset: 120, removing: 0,
                        inserting: Array("\r\n\t  listen [::]:443 ssl; # managed by reconcile\r\n".utf8), line: 7,
                        directive: "listen [::]:443 ssl;")),
                .dns(
                    .dnsDelete, phase: .withdraw, vhost: "a", family: .ipv4,
                    record: RecordEdit(
                        zone: "example.", name: "a.example.", ttl: 300, value: "192.0.2.1",
                        prerequisite: ["192.0.2.1", Self.nasty])),
                .dns(
                    .dnsAdd, phase: .advertise, vhost: "a", family: .ipv6,
                    record: RecordEdit(
                        zone: "example.", name: "a.example.", ttl: 60, value: "::1", prerequisite: [])),
                {
                    var removal = Action.nginx(
                        .nginxRemoveListen, phase: .unserve, vhost: "a", family: .ipv6, port: 443,
                        edit: NginxListenEdit(
                            path: "/a/b.conf", offset: 200, removing: 17, inserting: [], line: 8,
                            directive: "listen [::]:443;"))
                    removal.notBefore = "2026-12-01T08:05:00Z"
                    return removal
                }(),
            ],
            notes: [Self.nasty],
            preconditions: Preconditions(
                nginxFiles: [.init(path: "/etc/nginx/nginx.conf", sha256: "00ff")],
                recordSets: [
                    .init(name: "a.example.", type: "A", values: []),
                    .init(name: "b.", type: "AAAA", values: ["::1", "::2"]),
                ]),
            dnsSource: "server 127.0.0.1:53", nginxConfig: "nginx.conf", pendingReloads: ["nginx: \(Self.nasty)"])
        var withChecks = plan
        withChecks.checksNotRun = [.init(check: "config-not-loaded", reason: Self.nasty)]
        withChecks.reconcileVersion = Self.nasty
        #expect(Array(try withChecks.jsonData()) == (try Self.encoderBytes(withChecks)))
        // A plan saved before plans carried the version.
        var unversioned = plan
        unversioned.reconcileVersion = nil
        #expect(Array(try unversioned.jsonData()) == (try Self.encoderBytes(unversioned)))
        #expect(plan.reconcileVersion == ReconcileVersion.current)
        // A saved plan holds what executes: every action comes back with its edit.
        #expect(try Plan.decode(try withChecks.jsonData()).actions == withChecks.actions)
    }

    @Test func anEmptyPlanMatchesJSONEncoder() throws {
        let plan = Plan(
            createdAt: "", desired: DesiredFingerprint(digest: ""), findings: [], actions: [], notes: [],
            preconditions: Preconditions(nginxFiles: [], recordSets: []), dnsSource: "", nginxConfig: "")
        #expect(Array(try plan.jsonData()) == (try Self.encoderBytes(plan)))
    }

    @Test func streamingInChunksGivesTheSameBytes() throws {
        let findings = (0..<5_000).map {
            Finding(
                kind: .unmanagedVhost, vhost: "v\($0).example", message: String(repeating: "m", count: 300),
                evidence: ["e\($0)"])
        }
        let plan = Plan(
            createdAt: "t", desired: DesiredFingerprint(digest: "d"), findings: findings, actions: [], notes: [],
            preconditions: Preconditions(nginxFiles: [], recordSets: []), dnsSource: "s", nginxConfig: "c")
        var chunks: [[UInt8]] = []
        plan.streamJSON { chunks.append(Array($0)) }
        #expect(chunks.count > 1)
        #expect(chunks.flatMap { $0 } == Array(try plan.jsonData()))
        #expect(chunks.flatMap { $0 } == (try Self.encoderBytes(plan)))
    }

    /// Long lists are written on two threads, a chunk each at a time; the bytes must be the
    /// same, at every length around the chunks' boundaries.
    @Test(arguments: [2, 3, 5])
    func longListsWrittenOnTwoThreadsMatchJSONEncoder(chunks: Int) throws {
        let count = chunks * PlanJSONWriter.chunkElements + (chunks == 3 ? 1 : chunks == 5 ? -1 : 0)
        let findings = (0..<count).map {
            Finding(
                kind: .missingListen, vhost: "v\($0).example", family: .ipv6, port: 443, message: "m\($0)\n",
                evidence: $0 % 7 == 0 ? [] : ["e\($0)"])
        }
        let actions = (0..<count - 1).map {
            Action.dns(
                .dnsAdd, phase: .advertise, vhost: "v\($0).example", family: .ipv6,
                record: RecordEdit(
                    zone: "example.", name: "v\($0).example.", ttl: 60, value: "2001:db8::\($0 % 9)",
                    prerequisite: []))
        }
        let sets = (0..<count + 1).map { Preconditions.RecordSetState(name: "v\($0).", type: "A", values: ["\($0)"]) }
        let plan = Plan(
            createdAt: "t", desired: DesiredFingerprint(digest: "d"), findings: findings, actions: actions, notes: [],
            preconditions: Preconditions(nginxFiles: [], recordSets: sets), dnsSource: "s", nginxConfig: "c")
        let expected = try Self.encoderBytes(plan)
        #expect(Array(try plan.jsonData()) == expected)
        var streamed: [UInt8] = []
        plan.streamJSON { streamed += $0 }
        #expect(streamed == expected)
    }

    /// A large plan's text is rendered in two halves at once; joined, they are what one thread
    /// renders.
    @Test func aLargePlansTextInHalvesIsTheSameText() {
        let count = PlanText.halvingThreshold * 5 + 1
        let findings = (0..<count).map {
            Finding(
                kind: $0 % 3 == 0 ? .wrongAddress : .missingListen, vhost: "v\($0 % (count - 5)).example",
                family: .ipv4, port: 80, message: "m\($0)" + String(repeating: "x", count: 200), evidence: ["e\($0)"])
        }
        let plan = Plan(
            createdAt: "t", desired: DesiredFingerprint(digest: "d"), findings: findings, actions: [], notes: ["n"],
            preconditions: Preconditions(nginxFiles: [], recordSets: []), dnsSource: "s", nginxConfig: "c")
        var oneThread = PlanText(color: true, displayBase: "/")
        oneThread.halves = false
        let text = PlanText(color: true, displayBase: "/").render(plan, header: [("a", "b")])
        #expect(text == oneThread.render(plan, header: [("a", "b")]))
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count > 4 * count)
        // Written out as it is made, in pieces of about a megabyte.
        var pieces: [String] = []
        PlanText(color: true, displayBase: "/").render(plan, header: [("a", "b")]) { pieces.append($0) }
        #expect(pieces.count > 1)
        #expect(pieces.joined() == text)
    }
}
