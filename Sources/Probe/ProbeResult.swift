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
    public var line: String {
        let verdict: String
        switch outcome {
        case .ok(let status, let elapsed):
            let milliseconds =
                elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            verdict = "ok (HTTP \(status), \(milliseconds) ms)"
        case .failed(let failure):
            verdict = failure.description
        }
        return "\(target.vhost)  \(target.family.rawValue)  \(target.port)  \(target.addressText)  \(verdict)"
    }
}
