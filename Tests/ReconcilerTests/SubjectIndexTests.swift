import Testing

@testable import Reconciler

/// The text renderer's index of findings and actions by subject.
@Suite struct SubjectIndexTests {
    /// Subjects in order of first appearance, whether a subject's findings come together (as a
    /// plan's do) or not (as a hand-made one's may), with its findings and actions in order.
    @Test func groupsEachSubjectsFindingsAndActionsWhereverTheyAre() {
        let findings = [
            Finding(kind: .missingListen, vhost: "b", message: "0"),
            Finding(kind: .unmanagedVhost, vhost: "b", message: "1"),
            Finding(kind: .unmanagedVhost, vhost: "a", message: "2"),
            Finding(kind: .missingListen, vhost: "b", message: "3"),
            Finding(kind: .unmanagedVhost, vhost: "c", message: "4"),
            Finding(kind: .unmanagedVhost, vhost: "c", message: "5"),
        ]
        let record = RecordEdit(zone: "example.", name: "d.example.", ttl: 60, value: "::1", prerequisite: [])
        let actions: [Action] = ["c", "d", "b", "d"].map {
            .dns(.dnsAdd, phase: .advertise, vhost: $0, family: .ipv6, record: record)
        }
        let plan = Plan(
            createdAt: "t", desired: DesiredFingerprint(digest: "d"), findings: findings, actions: actions, notes: [],
            preconditions: Preconditions(nginxFiles: [], recordSets: []), dnsSource: "s", nginxConfig: "c")
        let index = SubjectIndex(plan)
        #expect(index.names == ["b", "a", "c", "d"])
        #expect(index.names.indices.map { Array(index.findings($0)) } == [[0, 1, 3], [2], [4, 5], []])
        #expect(index.names.indices.map { Array(index.actions($0)) } == [[2], [], [0], [1, 3]])
        #expect(index.worst == [.error, .info, .info, .info])
        // c has an action: only a is nothing but information.
        #expect(index.infoOnly == [1])
    }
}
