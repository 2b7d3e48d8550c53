import DNS
import Foundation

/// One run of plan, apply or probe, as Prometheus metrics for node_exporter's textfile
/// collector (DESIGN §9). Every series carries a `mode` label so files written by different
/// commands on one host never collide. Names and labels are documented in docs/metrics.md.
public struct MetricsSnapshot: Sendable {
    /// One probe of one vhost over one family and port, as plain values (no Probe types).
    public struct ProbeSample: Sendable, Hashable {
        /// The vhost's name.
        public var vhost: String
        /// `ipv4` or `ipv6`.
        public var family: String
        /// The port probed.
        public var port: UInt16
        /// Whether an HTTP response came back.
        public var success: Bool

        /// One probe's outcome.
        public init(vhost: String, family: String, port: UInt16, success: Bool) {
            self.vhost = vhost
            self.family = family
            self.port = port
            self.success = success
        }
    }

    /// `plan`, `apply` or `probe`.
    public var mode: String
    /// All findings of the run, of every severity.
    public var findings: [Finding]
    /// When the run started.
    public var startedAt: Date
    /// When the run finished (the last-run timestamp).
    public var finishedAt: Date
    /// The run completed (drift found is still a success; an error is not).
    public var success: Bool
    /// Probe outcomes, when the run probed.
    public var probes: [ProbeSample]
    /// Actions carried out by this run (0 for plan and probe).
    public var changesApplied: Int
    /// The desired state's git commit, when it is a checkout.
    public var desiredCommit: String?
    /// Reloads an interrupted apply still owed at the start of the run (see
    /// ``Plan/pendingReloads``).
    public var pendingReloads: Int
    /// Whether the run got as far as a plan. A run that failed before (DNS unreachable, bad
    /// input) knows nothing about sync: it writes no `reconcile_in_sync` rather than a 1.
    public var planned: Bool
    /// Slugs of the checks the run could not make (see ``Plan/checksNotRun``).
    public var checksNotRun: [String] = []
    /// Each authoritative server asked (DESIGN §14).
    public var nameservers: [NameserverSample] = []

    /// One authoritative server of one zone, as the run saw it.
    public struct NameserverSample: Sendable, Hashable {
        /// The zone, with its trailing dot.
        public var zone: String
        /// `ip:port` (`[ip]:port` for IPv6).
        public var server: String
        /// Its SOA serial, when it answered with authority.
        public var serial: UInt32?
        /// Whether it publishes the same A/AAAA sets for the desired names as the plan's source.
        public var agrees: Bool

        public init(zone: String, server: String, serial: UInt32?, agrees: Bool) {
            self.zone = zone
            self.server = server
            self.serial = serial
            self.agrees = agrees
        }
    }

    /// A snapshot of one run.
    public init(
        mode: String, findings: [Finding], startedAt: Date, finishedAt: Date, success: Bool,
        probes: [ProbeSample] = [], changesApplied: Int = 0, desiredCommit: String? = nil, pendingReloads: Int = 0,
        planned: Bool = true
    ) {
        self.planned = planned
        self.pendingReloads = pendingReloads
        self.mode = mode
        self.findings = findings
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.success = success
        self.probes = probes
        self.changesApplied = changesApplied
        self.desiredCommit = desiredCommit
    }

    /// The Prometheus text exposition format (version 0.0.4), `# HELP` and `# TYPE` before
    /// each family, series sorted so consecutive runs diff cleanly.
    public func prometheusText() -> String {
        var out = PrometheusTextWriter()
        let mode = ("mode", self.mode)
        writeFindings(&out, mode: mode)
        writeSyncState(&out, mode: mode)
        writeRun(&out, mode: mode)
        writeProbes(&out, mode: mode)
        writeNameservers(&out, mode: mode)
        writeDesiredState(&out, mode: mode)
        return out.text
    }

    /// `reconcile_findings`, one series per vhost, family, code and severity.
    func writeFindings(_ out: inout PrometheusTextWriter, mode: (String, String)) {
        var counts: [[String]: Int] = [:]
        for finding in findings {
            let key = [
                finding.vhost, finding.family?.rawValue ?? "", finding.code, finding.slug, finding.severity.rawValue,
            ]
            counts[key, default: 0] += 1
        }
        out.family(
            "reconcile_findings", type: "gauge",
            help: "Findings of the last run by vhost, family and code (family is empty when not applicable).")
        for key in counts.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let labels = zip(["vhost", "family", "code", "slug", "severity"], key).map { ($0, $1) }
            out.sample("reconcile_findings", labels: [mode] + labels, value: Double(counts[key] ?? 0))
        }
    }

    /// `reconcile_in_sync`, `reconcile_pending_reloads`, `reconcile_check_not_run` (only for a run that planned).
    func writeSyncState(_ out: inout PrometheusTextWriter, mode: (String, String)) {
        if planned {
            let drift = findings.contains { $0.severity.isDrift } || pendingReloads > 0
            out.family(
                "reconcile_in_sync", type: "gauge",
                help:
                    "1 when the last run found no critical or error finding and no pending reload (a file written but not loaded)."
            )
            out.sample("reconcile_in_sync", labels: [mode], value: drift ? 0 : 1)

            out.family(
                "reconcile_pending_reloads", type: "gauge",
                help: "Files an interrupted apply wrote that nginx or the DNS server has not loaded.")
            out.sample("reconcile_pending_reloads", labels: [mode], value: Double(pendingReloads))

            if !checksNotRun.isEmpty {
                out.family(
                    "reconcile_check_not_run", type: "gauge",
                    help:
                        "1 for each check the last run could not make (its reconcile_in_sync holds only as far as it could see)."
                )
                for check in Set(checksNotRun).sorted() {
                    out.sample("reconcile_check_not_run", labels: [mode, ("check", check)], value: 1)
                }
            }
        }
    }

    /// When the last run finished, whether it succeeded, how long it took, what it changed.
    func writeRun(_ out: inout PrometheusTextWriter, mode: (String, String)) {
        out.family(
            "reconcile_last_run_timestamp_seconds", type: "gauge",
            help: "Unix time at which the last run finished.")
        out.sample("reconcile_last_run_timestamp_seconds", labels: [mode], value: finishedAt.timeIntervalSince1970)

        out.family("reconcile_last_run_success", type: "gauge", help: "1 when the last run completed without error.")
        out.sample("reconcile_last_run_success", labels: [mode], value: success ? 1 : 0)

        out.family("reconcile_run_duration_seconds", type: "gauge", help: "Wall-clock duration of the last run.")
        out.sample(
            "reconcile_run_duration_seconds", labels: [mode], value: max(0, finishedAt.timeIntervalSince(startedAt)))

        out.family("reconcile_changes_applied", type: "gauge", help: "Actions carried out by the last run.")
        out.sample("reconcile_changes_applied", labels: [mode], value: Double(changesApplied))
    }

    /// `reconcile_probe_success` per vhost, family and port probed.
    func writeProbes(_ out: inout PrometheusTextWriter, mode: (String, String)) {
        if !probes.isEmpty {
            out.family(
                "reconcile_probe_success", type: "gauge",
                help: "1 when the vhost answered HTTP over the family and port in the last run.")
            let sorted = probes.sorted { ($0.vhost, $0.family, $0.port) < ($1.vhost, $1.family, $1.port) }
            for probe in sorted {
                out.sample(
                    "reconcile_probe_success",
                    labels: [mode, ("vhost", probe.vhost), ("family", probe.family), ("port", String(probe.port))],
                    value: probe.success ? 1 : 0)
            }
        }
    }

    /// `reconcile_nameserver_up`, `_serial`, `_agrees` per zone and authoritative server.
    func writeNameservers(_ out: inout PrometheusTextWriter, mode: (String, String)) {
        if !nameservers.isEmpty {
            let sorted = nameservers.sorted { ($0.zone, $0.server) < ($1.zone, $1.server) }
            out.family(
                "reconcile_nameserver_up", type: "gauge",
                help: "1 when the zone's authoritative server answered with authority in the last run.")
            for sample in sorted {
                out.sample(
                    "reconcile_nameserver_up", labels: [mode, ("zone", sample.zone), ("server", sample.server)],
                    value: sample.serial == nil ? 0 : 1)
            }
            out.family(
                "reconcile_nameserver_serial", type: "gauge",
                help: "The SOA serial each authoritative server answered (only servers that answered).")
            for sample in sorted {
                guard let serial = sample.serial else { continue }
                out.sample(
                    "reconcile_nameserver_serial", labels: [mode, ("zone", sample.zone), ("server", sample.server)],
                    value: Double(serial))
            }
            out.family(
                "reconcile_nameserver_agrees", type: "gauge",
                help: "1 when the server publishes the same A/AAAA sets for the desired names as the plan's source.")
            for sample in sorted where sample.serial != nil {
                out.sample(
                    "reconcile_nameserver_agrees", labels: [mode, ("zone", sample.zone), ("server", sample.server)],
                    value: sample.agrees ? 1 : 0)
            }
        }
    }

    /// `reconcile_build_info` with the version that ran, `reconcile_desired_state_info` with
    /// the desired state's commit.
    func writeDesiredState(_ out: inout PrometheusTextWriter, mode: (String, String)) {
        out.family(
            "reconcile_build_info", type: "gauge",
            help: "1, with the version of reconcile that ran as the version label.")
        out.sample("reconcile_build_info", labels: [mode, ("version", ReconcileVersion.current)], value: 1)

        if let desiredCommit {
            out.family(
                "reconcile_desired_state_info", type: "gauge",
                help: "1, with the desired state's git commit as the commit label (only when it is a git checkout).")
            out.sample("reconcile_desired_state_info", labels: [mode, ("commit", desiredCommit)], value: 1)
        }
    }
}

extension MetricsSnapshot {
    /// The authoritative servers of each zone as the run saw them: a server agrees when it
    /// publishes the same A and AAAA sets for every desired name as the plan's source, the
    /// comparison `nameservers-disagree` makes.
    public static func nameserverSamples(_ observation: Observation, names: [DNSName]) -> [NameserverSample] {
        observation.dns.nameservers.values.flatMap { report in
            let reference = observation.dns.zones[report.zone]
            let inZone = names.filter { $0.isSubdomain(of: report.zone) }
            return report.servers.map { server in
                let agrees =
                    server.snapshot.map { snapshot in
                        inZone.allSatisfy { name in
                            [RecordType.a, .aaaa].allSatisfy { type in
                                snapshot.values(name, type) == (reference?.values(name, type) ?? [])
                            }
                        }
                    } ?? false
                return NameserverSample(
                    zone: report.zone.description, server: server.address.description, serial: server.snapshot?.serial,
                    agrees: agrees)
            }
        }
    }
}
