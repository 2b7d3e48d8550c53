import Probe

extension MetricsSnapshot.ProbeSample {
    /// The metrics view of a probe result: vhost, family, port and whether HTTP answered.
    public init(_ result: ProbeResult) {
        self.init(
            vhost: result.target.vhost, family: result.target.family.rawValue, port: result.target.port,
            success: result.succeeded)
    }
}
