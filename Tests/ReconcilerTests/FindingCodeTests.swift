import Foundation
import Reconciler
import Testing

/// Finding codes are written out per kind and pinned here, with their slugs and severities; the
/// README's table says the same.
@Suite struct FindingCodeTests {
    static let pinned: [(String, String, Severity)] = [
        ("RC001", "advertised-not-served", .critical), ("RC002", "missing-listen", .error),
        ("RC003", "missing-record", .error), ("RC004", "wrong-address", .error),
        ("RC005", "undesired-record", .error), ("RC006", "undesired-listen", .warning),
        ("RC007", "missing-server-block", .error), ("RC008", "answered-by-other-block", .critical),
        ("RC009", "address-not-on-host", .warning), ("RC010", "unreachable", .critical),
        ("RC011", "external-cname", .warning), ("RC012", "unmanaged-vhost", .info),
        ("RC013", "config-not-loaded", .error), ("RC014", "nginx-not-running", .critical),
        ("RC015", "nameservers-disagree", .error), ("RC016", "nameserver-unreachable", .warning),
        ("RC017", "delegation-mismatch", .warning), ("RC018", "listen-conflict", .error),
        ("RC019", "families-differ", .error), ("RC020", "last-address", .critical),
        ("RC021", "unattributed-address", .warning),
    ]

    @Test func codesSlugsAndSeveritiesArePinned() {
        #expect(FindingKind.allCases.map { $0.code } == Self.pinned.map { $0.0 })
        #expect(FindingKind.allCases.map { $0.slug } == Self.pinned.map { $0.1 })
        #expect(FindingKind.allCases.map { $0.severity } == Self.pinned.map { $0.2 })
    }

    @Test func readmeTableListsEveryCode() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let readme = try String(contentsOfFile: root + "/README.md", encoding: .utf8)
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| RC0") }.map { row in
            row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        #expect(rows.map { $0[0] } == Self.pinned.map { $0.0 })
        #expect(rows.map { $0[1] } == Self.pinned.map { "`\($0.1)`" })
        #expect(rows.map { $0[2] } == Self.pinned.map { $0.2.rawValue })
    }
}
