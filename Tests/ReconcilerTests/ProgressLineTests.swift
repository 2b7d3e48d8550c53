import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// DESIGN §2: a plan of more than a few seconds says on standard error, when that is a
/// terminal, what it waits for; a quick plan, or one whose standard error is not a terminal,
/// prints no progress.
@Suite(.serialized)
struct ProgressLineTests {
    func onTerminal(_ lab: OutageLab, _ arguments: [String]) throws -> (status: Int32, text: String) {
        try lab.reconcileOnTerminal(arguments)
    }

    @Test func slowPlanOnATerminalSaysWhatItWaitsFor() throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        // Quick: no progress line.
        let quick = try onTerminal(lab, ["plan"])
        #expect(quick.status == 2, "\(quick.text)")
        #expect(!quick.text.contains(" …"), "\(quick.text)")

        // named frozen: the transfer waits for its 4 s timeout; after 2 s the line says why.
        kill(lab.named.processIdentifier, SIGSTOP)
        defer { kill(lab.named.processIdentifier, SIGCONT) }
        let slow = try onTerminal(lab, ["plan", "--dns-timeout", "4"])
        #expect(slow.status == 1, "\(slow.text)")
        let line = slow.text.split(whereSeparator: \.isNewline).first { $0.contains("reading zone") }
        #expect(
            line?.contains("reading zone example.social. (server 127.0.0.1:\(lab.named.port)) …") == true,
            "\(slow.text)")
        #expect(line?.hasPrefix("[  2.") == true, "\(slow.text)")
        #expect(slow.text.contains("did not answer"), "\(slow.text)")

        // The same slow plan with standard error on a pipe: no progress.
        let piped = try lab.reconcile(["plan", "--dns-timeout", "4"])
        #expect(piped.status == 1)
        #expect(!piped.stderr.contains("reading zone"), "\(piped.stderr)")
    }
}
