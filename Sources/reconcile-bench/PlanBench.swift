import ArgumentParser
import DesiredState
import Foundation
import Reconciler
import TestSupport

/// `reconcile-bench plan`: the whole plan (load desired state, parse nginx tree, AXFR from a
/// real named, diff) at N vhosts (DESIGN §12).
struct PlanBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract:
            "Time a full plan: N vhosts, nginx tree of N blocks in files of 100, a zone of ~2.8N records in a real named."
    )

    @Option(help: "Number of vhosts to generate.") var vhosts = 20000
    @Option(help: "Measured runs (the median is reported).") var iterations = 5

    func run() async throws {
        let dir = try TemporaryDirectory(prefix: "reconcile-bench-plan")
        // Desired state: every vhost dual-stack on 443, except every tenth IPv4 only.
        var yaml = "vhosts:\n"
        yaml.reserveCapacity(vhosts * 70)
        for i in 0..<vhosts {
            yaml += "  v\(i).example.social: {families: \(i % 10 == 9 ? "[ipv4]" : "[ipv4, ipv6]"), ports: [443]}\n"
        }
        try dir.write("desired/vhosts.yaml", yaml)
        // nginx: one block per vhost; one in a hundred dual-stack vhosts lacks its IPv6 listen.
        try dir.write("nginx/nginx.conf", "events {}\nhttp {\n    include sites/*.conf;\n}\n")
        var missingListens = 0
        for file in stride(from: 0, to: vhosts, by: 100) {
            var text = ""
            for i in file..<min(file + 100, vhosts) {
                let dual = i % 10 != 9 && i % 100 != 42
                if i % 100 == 42 { missingListens += 1 }
                text += """
                    server {
                        listen 443 ssl;
                    \(dual ? "    listen [::]:443 ssl;\n" : "")    server_name v\(i).example.social www.v\(i).example.social;
                        ssl_certificate /etc/ssl/v\(i).pem;
                        ssl_certificate_key /etc/ssl/v\(i).key;
                        location / { proxy_pass http://127.0.0.1:8080; }
                    }

                    """
            }
            try dir.write("nginx/sites/\(String(format: "%05d", file / 100)).conf", text)
        }
        // Zone: A and AAAA as desired, a CNAME for www, TXT on some; a few AAAA missing.
        var zone =
            "$ORIGIN example.social.\n$TTL 300\n@ IN SOA ns1 hostmaster 2026112501 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 127.0.0.1\n"
        zone.reserveCapacity(vhosts * 110)
        var records = 3
        for i in 0..<vhosts {
            zone += "v\(i) IN A 203.0.113.10\n"
            records += 1
            if i % 10 != 9 && i % 1000 != 7 {
                zone += "v\(i) IN AAAA 2001:db8::10\n"
                records += 1
            }
            zone += "www.v\(i) IN CNAME v\(i)\n"
            records += 1
            if i % 5 == 0 {
                zone += "v\(i) IN TXT \"owner=team-\(i % 17)\"\n"
                records += 1
            }
        }
        let named = try NamedServer(zones: [.init(name: "example.social", contents: zone)], keyAlgorithms: [])
        defer { named.stop() }
        try dir.write(
            "desired/reconcile.yaml",
            """
            host: {ipv4: [203.0.113.10], ipv6: ["2001:db8::10"]}
            nginx: {config: ../nginx/nginx.conf}
            dns: {provider: rfc2136, server: "127.0.0.1:\(named.port)", zones: [example.social]}

            """)

        let generatedRSS = Measurement.peakRSSMiB()
        zone = ""
        yaml = ""
        var stages: [String: [Double]] = [:]
        func lap(_ name: String, _ start: DispatchTime) {
            stages[name, default: []].append(
                Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6)
        }
        func runOnce() async throws -> Reconciler.Plan {
            var start = DispatchTime.now()
            let desired = try DesiredStateLoader().load(directory: dir.path + "/desired")
            lap("load desired state", start)
            start = DispatchTime.now()
            let provider = try DNSProviders.make(for: desired.dns, timeout: .seconds(10))
            var observer = Observer(desired: desired, dns: provider)
            observer.checkInterfaces = false
            let observation = try await observer.observe()
            lap("observe (nginx parse + AXFR)", start)
            start = DispatchTime.now()
            let plan = Planner(
                desired: desired, observation: observation, fingerprint: DesiredFingerprint(digest: ""),
                displayBase: dir.path
            ).plan()
            lap("diff and plan", start)
            return plan
        }
        // One plan alone first: the time and peak memory one `reconcile plan` process sees.
        Measurement.resetPeakRSS()
        let first = DispatchTime.now()
        var plan: Reconciler.Plan? = try await runOnce()
        let firstMs = Double(DispatchTime.now().uptimeNanoseconds - first.uptimeNanoseconds) / 1e6
        let singleRSS = Measurement.peakRSSMiB()
        let findings = plan?.findings.count ?? 0
        let actions = plan?.actions.count ?? 0
        plan = nil
        let samples = try await Measurement.time(iterations: iterations, warmup: 0) {
            plan = try await runOnce()
            plan = nil
        }
        let median = Measurement.median(samples)
        let rss = Measurement.peakRSSMiB()
        Measurement.report(
            rows: [
                ("vhosts", "\(vhosts)"),
                ("nginx files", "\((vhosts + 99) / 100 + 1)"),
                ("zone records", "\(records) (AXFR from named on 127.0.0.1:\(named.port))"),
                ("findings / actions", "\(findings) / \(actions)  (\(missingListens) blocks lack an IPv6 listen)"),
                (
                    "first plan",
                    "\(Measurement.fmt(firstMs)) ms, peak RSS \(Measurement.fmt(singleRSS)) MiB (as one reconcile plan process)"
                ),
                (
                    "plan median",
                    "\(Measurement.fmt(median)) ms (\(iterations) more runs, min \(Measurement.fmt(samples.min() ?? 0)), max \(Measurement.fmt(samples.max() ?? 0)))"
                ),
                (
                    "peak RSS, all runs",
                    "\(Measurement.fmt(rss)) MiB (\(Measurement.fmt(generatedRSS)) MiB after generating the data)"
                ),
            ]
                + stages.keys.sorted().map {
                    ("  \($0)", "\(Measurement.fmt(Measurement.median(stages[$0] ?? []))) ms median")
                },
            json: [
                "bench": "plan", "vhosts": vhosts, "records": records, "findings": findings, "actions": actions,
                "median_ms": median, "min_ms": samples.min() ?? 0, "max_ms": samples.max() ?? 0,
                "first_run_ms": firstMs, "peak_rss_mb": singleRSS, "peak_rss_all_runs_mb": rss,
            ])
    }
}
