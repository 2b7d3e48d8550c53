import Foundation

/// What happened when one target was probed.
public struct ProbeResult: Sendable, Hashable {
    /// Reachable with a status, or not, with the reason.
    public enum Outcome: Sendable, Hashable {
        /// An HTTP response came back; any status counts as reachable.
        case ok(status: Int, elapsed: Duration)
        case failed(ProbeFailure)
    }

    /// What was probed.
    public var target: ProbeTarget
    /// What came of it.
    public var outcome: Outcome
    /// What the client got (status, redirect, certificate, body digest), when it got a response.
    public var response: ProbeResponse?

    /// A result as the prober makes it (public so callers can build expected values).
    public init(target: ProbeTarget, outcome: Outcome) {
        self.target = target
        self.outcome = outcome
    }

    /// Whether an HTTP response came back.
    public var succeeded: Bool {
        if case .ok = outcome { return true }
        return false
    }

    /// The failure, when there was one.
    public var failure: ProbeFailure? {
        if case .failed(let failure) = outcome { return failure }
        return nil
    }

    /// One line per vhost, family and port, so "IPv6 down, IPv4 up" reads at a glance:
    /// `media.example.social  ipv6  443  [::1]  connection refused`.
    public var line: String { columns.joined(separator: "  ") }

    /// The lines of many results with their columns aligned, in the order given.
    public static func table(_ results: [ProbeResult]) -> [String] {
        let rows = results.map(\.columns)
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            let padded = (0..<4).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            return (padded + [row[4]]).joined(separator: "  ")
        }
    }

    /// vhost, family, port, address, verdict.
    var columns: [String] {
        let verdict: String
        switch outcome {
        case .ok(let status, let elapsed):
            let milliseconds =
                elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            verdict = "ok (HTTP \(status), \(milliseconds) ms)"
        case .failed(let failure):
            verdict = failure.description
        }
        return [target.vhost, target.family.rawValue, String(target.port), target.addressText, verdict]
    }
}
