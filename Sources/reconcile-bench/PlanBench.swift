import ArgumentParser
import DNS
import DesiredState
import Foundation
import Nginx
import Reconciler
import TestSupport

/// `reconcile-bench plan`: the whole `reconcile plan` process as a user runs it (spawned, in
/// text and in JSON), with the per-stage breakdown measured in process beside it, at N
/// vhosts and, with `--growth`, at 2N too; with `--octodns`, octoDNS planning the same zone
/// against the same named in the same run (DESIGN §12).
struct PlanBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract:
            "Time `reconcile plan` (spawned, text and JSON): N vhosts, nginx tree of N blocks in files of 100, a zone of ~2.8N records in a real named."
    )

    @Option(help: "Number of vhosts to generate.") var vhosts = 20000
    @Option(help: "Measured runs of each (the median is reported).") var iterations = 5
    @Flag(help: "No block has an IPv6 listen: every dual-stack vhost drifts.") var allDrifting = false
    @Flag(help: "Also measure at 2N vhosts, run by run in turn with N, and report time(2N) / time(N).")
    var growth = false
    @Flag(help: "Also time octoDNS (installed from PyPI when missing) planning the same zone against the same named.")
    var octodns = false
    @Option(help: "Runs of octoDNS (the median is reported).") var octodnsIterations = 3
    @Option(help: "The reconcile binary (default: the one beside this bench).") var reconcile: String?

    struct Figures {
        var vhosts = 0
        var records = 0
        var findings = 0
        var actions = 0
        var missingListens = 0
        var text: [SpawnedRun] = []
        var json: [SpawnedRun] = []
        var stages: [(String, Double)] = []
        var octoDNS: [SpawnedRun] = []

        var textMedian: Double { Measurement.median(text.map(\.milliseconds)) }
        var jsonMedian: Double { Measurement.median(json.map(\.milliseconds)) }
        var textCPUMedian: Double { Measurement.median(text.map(\.cpuMilliseconds)) }
        var jsonCPUMedian: Double { Measurement.median(json.map(\.cpuMilliseconds)) }
        var textRSS: Double { text.map(\.peakRSSMiB).max() ?? 0 }
        var jsonRSS: Double { json.map(\.peakRSSMiB).max() ?? 0 }
        var octoDNSMedian: Double { Measurement.median(octoDNS.map(\.milliseconds)) }
    }

    func run() async throws {
        let binary = reconcile ?? Self.besideThisBench("reconcile")
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError(
                "no reconcile binary at \(binary) (build it: swift build -c release --product reconcile)")
        }
        let worlds = try (growth ? [vhosts, 2 * vhosts] : [vhosts]).map {
            try PlanBenchData(vhosts: $0, allDrifting: allDrifting)
        }
        defer { for world in worlds { world.stop() } }
        let spawned = try spawnedRuns(worlds, binary: binary)
        var measured: [Figures] = []
        for (index, world) in worlds.enumerated() {
            measured.append(try await figures(world, spawned[index], withOctoDNS: octodns && index == 0))
        }
        let base = measured[0]
        var rows = rows(base)
        var json: [String: Any] = [
            "bench": "plan", "vhosts": vhosts, "all_drifting": allDrifting, "records": base.records,
            "findings": base.findings, "actions": base.actions,
            "text_median_ms": base.textMedian, "json_median_ms": base.jsonMedian,
            "text_cpu_median_ms": base.textCPUMedian, "json_cpu_median_ms": base.jsonCPUMedian,
            "text_peak_rss_mb": base.textRSS, "json_peak_rss_mb": base.jsonRSS,
            "stages_ms": Dictionary(base.stages, uniquingKeysWith: { a, _ in a }),
            "median_ms": max(base.textMedian, base.jsonMedian),
        ]
        if octodns {
            let ratio = base.octoDNSMedian / max(base.textMedian, base.jsonMedian)
            rows.append(
                (
                    "octoDNS plan median",
                    "\(Measurement.fmt(base.octoDNSMedian)) ms (\(base.octoDNS.count) runs, same zone, same named)"
                ))
            rows.append(("octoDNS / reconcile", "\(Measurement.fmt(ratio))x (against the slower of text and JSON)"))
            json["octodns_median_ms"] = base.octoDNSMedian
            json["octodns_ratio"] = ratio
        }
        if growth, let doubled = measured.last {
            rows.append(("", ""))
            rows += self.rows(doubled)
            let textGrowth = doubled.textMedian / base.textMedian
            let jsonGrowth = doubled.jsonMedian / base.jsonMedian
            let textCPUGrowth = doubled.textCPUMedian / base.textCPUMedian
            let jsonCPUGrowth = doubled.jsonCPUMedian / base.jsonCPUMedian
            func ratio(_ value: Double) -> String { String(format: "%.2f", value) }
            rows.append(
                (
                    "growth (2N / N)",
                    "wall: text \(ratio(textGrowth))x, JSON \(ratio(jsonGrowth))x; CPU: text \(ratio(textCPUGrowth))x, JSON \(ratio(jsonCPUGrowth))x (linear is 2.0; the bound is 2.3; N and 2N runs interleaved)"
                ))
            json["growth_text"] = textGrowth
            json["growth_json"] = jsonGrowth
            json["growth_text_cpu"] = textCPUGrowth
            json["growth_json_cpu"] = jsonCPUGrowth
            json["text_median_ms_2n"] = doubled.textMedian
            json["json_median_ms_2n"] = doubled.jsonMedian
            json["text_peak_rss_mb_2n"] = doubled.textRSS
            json["json_peak_rss_mb_2n"] = doubled.jsonRSS
        }
        Measurement.report(rows: rows, json: json)
    }

    private func rows(_ figures: Figures) -> [(String, String)] {
        func spread(_ runs: [SpawnedRun]) -> String {
            let times = runs.map(\.milliseconds)
            return
                "min \(Measurement.fmt(times.min() ?? 0)), max \(Measurement.fmt(times.max() ?? 0)); CPU \(Measurement.fmt(Measurement.median(runs.map(\.cpuMilliseconds)))) ms"
        }
        var rows: [(String, String)] = [
            ("vhosts", "\(figures.vhosts)\(allDrifting ? " (all dual-stack vhosts drifting)" : "")"),
            ("nginx files", "\((figures.vhosts + 99) / 100 + 1)"),
            ("zone records", "\(figures.records) (AXFR from a real named on 127.0.0.1)"),
            (
                "findings / actions",
                "\(figures.findings) / \(figures.actions)  (\(figures.missingListens) blocks lack an IPv6 listen)"
            ),
            (
                "reconcile plan, text",
                "\(Measurement.fmt(figures.textMedian)) ms median (\(spread(figures.text))), peak RSS \(Measurement.fmt(figures.textRSS)) MiB, \(figures.text.first?.outputBytes ?? 0) bytes out"
            ),
            (
                "reconcile plan, JSON",
                "\(Measurement.fmt(figures.jsonMedian)) ms median (\(spread(figures.json))), peak RSS \(Measurement.fmt(figures.jsonRSS)) MiB, \(figures.json.first?.outputBytes ?? 0) bytes out"
            ),
            ("stages (in process, medians)", ""),
        ]
        rows += figures.stages.map { ("  \($0.0)", "\(Measurement.fmt($0.1)) ms") }
        return rows
    }

    /// The whole `reconcile plan` process in each world, as a user runs it, text then JSON:
    /// one unmeasured run of each first warms the page cache, then the worlds take turns, run
    /// by run, so that a change in the machine's speed (its other tenants) falls on N and 2N
    /// alike and the growth ratio compares like with like.
    private func spawnedRuns(_ worlds: [PlanBenchData], binary: String) throws -> [(
        text: [SpawnedRun], json: [SpawnedRun]
    )] {
        var runs = [(text: [SpawnedRun], json: [SpawnedRun])](repeating: ([], []), count: worlds.count)
        for format in ["text", "json"] {
            func run(_ world: PlanBenchData) throws -> [SpawnedRun] {
                let argv = [
                    binary, "plan", "--desired", world.desiredDirectory, "--no-interface-check", "--no-color",
                    "--format", format,
                ]
                return try SpawnedRun.repeated(
                    1, argv, outputFile: world.directory.path + "/plan.out", statuses: [0, 2])
            }
            for world in worlds { _ = try run(world) }
            for _ in 0..<iterations {
                for (index, world) in worlds.enumerated() {
                    if format == "text" {
                        runs[index].text += try run(world)
                    } else {
                        runs[index].json += try run(world)
                    }
                }
            }
        }
        return runs
    }

    /// One world's figures: its spawned runs, and the same work stage by stage in this process.
    private func figures(
        _ data: PlanBenchData, _ spawned: (text: [SpawnedRun], json: [SpawnedRun]), withOctoDNS: Bool
    ) async throws -> Figures {
        var figures = Figures()
        figures.vhosts = data.vhosts
        figures.records = data.records
        figures.missingListens = data.missingListens
        figures.text = spawned.text
        figures.json = spawned.json

        // The same work stage by stage, in this process.
        var laps: [String: [Double]] = [:]
        let order = [
            "load desired state", "nginx: read, parse, model", "DNS: AXFR and snapshot", "plan", "render text",
            "render JSON",
        ]
        func lap<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            let start = DispatchTime.now().uptimeNanoseconds
            let value = try body()
            laps[name, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            return value
        }
        for _ in 0..<iterations {
            let desired = try lap(order[0]) { try DesiredStateLoader().load(directory: data.desiredDirectory) }
            let tree = try lap(order[1]) {
                try NginxConfigTree.load(mainConfig: desired.nginx.config, reader: DiskNginxFileReader())
            }
            let provider = try DNSProviders.make(for: desired.dns, timeout: .seconds(30))
            let start = DispatchTime.now().uptimeNanoseconds
            let records = try await provider.observe(zones: desired.dns.zones, names: desired.vhosts.map(\.dnsName))
            laps[order[2], default: []].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            let plan = lap(order[3]) {
                Planner(
                    desired: desired,
                    observation: Observation(nginx: tree, dns: records, interfaces: nil, dnsSource: provider.summary),
                    fingerprint: DesiredFingerprint(digest: desired.digest), displayBase: data.directory.path
                ).plan()
            }
            figures.findings = plan.findings.count
            figures.actions = plan.actions.count
            _ = lap(order[4]) { PlanText(color: false, displayBase: data.directory.path).render(plan).utf8.count }
            _ = try lap(order[5]) { try plan.jsonData().count }
        }
        figures.stages = order.map { ($0, Measurement.median(laps[$0] ?? [])) }

        if withOctoDNS {
            figures.octoDNS = try OctoDNSPlan(data: data).measure(runs: octodnsIterations)
        }
        return figures
    }

    /// A sibling executable of this bench (both are built into the same directory).
    static func besideThisBench(_ name: String) -> String {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent(name).path
    }
}
