import Foundation
import Testing

@testable import Reconciler

/// The planner reads vhosts in chunks on both cores and runs their steps in order: however
/// the vhosts are cut, the plan is the same, byte for byte.
@Suite struct ChunkedReadingTests {
    /// 1,300 vhosts, most lacking their IPv6 listen; every tenth pair shares one block (one
    /// listen added for both), some are IPv4 only with an AAAA to withdraw, some have no block.
    func planner() throws -> Planner {
        var vhosts = ""
        var sites = ""
        var records = ""
        for i in 0..<1300 {
            let ipv4Only = i % 7 == 3
            vhosts += "  v\(i).example.social: {families: \(ipv4Only ? "[ipv4]" : "[ipv4, ipv6]"), ports: [443]}\n"
            records += "v\(i) 300 IN A 203.0.113.10\n"
            if i % 3 == 0 { records += "v\(i) 300 IN AAAA 2001:db8::10\n" }
            if i % 10 == 0 {
                sites +=
                    "server {\n    listen 443 ssl;\n    server_name v\(i).example.social v\(i + 1).example.social;\n}\n"
            } else if i % 10 != 1 && i % 97 != 5 {
                sites += "server {\n    listen 443 ssl;\n    server_name v\(i).example.social;\n}\n"
            }
        }
        return try PlannerTests.planner(
            vhosts: vhosts, sites: sites, records: records, now: Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test(arguments: [1, 7, 512, 100_000])
    func everyCutGivesTheSamePlan(chunk: Int) throws {
        var whole = try planner()
        whole.readingChunk = 100_000
        var cut = try planner()
        cut.readingChunk = chunk
        let expected = whole.plan()
        #expect(expected.actions.count > 700)
        #expect(expected.findings.count > 1300)
        #expect(Array(try cut.plan().jsonData()) == Array(try expected.jsonData()))
    }
}
