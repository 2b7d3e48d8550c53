import Foundation

/// octoDNS (with octodns-bind) planning the bench's zone against the same named: the
/// reference DESIGN §12 compares with. Installed from PyPI by the bench when missing (CI
/// never runs the bench, so `.ci/run` does not install it).
struct OctoDNSPlan {
    let data: PlanBenchData

    /// Makes `python3 -m pip install octodns octodns-bind` happen once when they are not
    /// importable; throws when that fails.
    static func ensureInstalled(in directory: String) throws {
        let check = try SpawnedRun.run(
            ["/usr/bin/env", "python3", "-c", "import octodns, octodns_bind"],
            outputFile: directory + "/octodns-check.out")
        guard check.status != 0 else { return }
        let install = try SpawnedRun.run(
            ["/usr/bin/env", "python3", "-m", "pip", "install", "--quiet", "octodns", "octodns-bind"],
            outputFile: directory + "/octodns-install.out")
        guard install.status == 0 else {
            let log = (try? String(contentsOfFile: directory + "/octodns-install.out.err", encoding: .utf8)) ?? ""
            throw SpawnedRun.Failure(description: "pip install octodns octodns-bind failed: \(log)")
        }
    }

    /// Writes the configuration: the desired zone as octoDNS YAML, named as an RFC 2136
    /// target read by AXFR.
    func prepare() throws -> String {
        let directory = data.directory.path + "/octodns"
        try data.directory.write("octodns/zones/\(PlanBenchData.origin).yaml", data.octoDNSZone)
        try data.directory.write(
            "octodns/config.yaml",
            """
            providers:
              config:
                class: octodns.provider.yaml.YamlProvider
                directory: \(directory)/zones
                default_ttl: 300
                enforce_order: false
              named:
                class: octodns_bind.Rfc2136Provider
                host: 127.0.0.1
                port: \(data.named.port)
                timeout: 300
            zones:
              \(PlanBenchData.origin).:
                sources: [config]
                targets: [named]

            """)
        return directory
    }

    /// `runs` plans (`octodns-sync` without `--doit` plans and changes nothing).
    func measure(runs: Int) throws -> [SpawnedRun] {
        let directory = try prepare()
        try Self.ensureInstalled(in: directory)
        let runs = try SpawnedRun.repeated(
            runs, ["/usr/bin/env", "octodns-sync", "--config-file", directory + "/config.yaml"],
            outputFile: directory + "/plan.out", statuses: [0])
        let log = (try? String(contentsOfFile: directory + "/plan.out.err", encoding: .utf8)) ?? ""
        let out = (try? String(contentsOfFile: directory + "/plan.out", encoding: .utf8)) ?? ""
        guard (log + out).contains("Create") else {
            throw SpawnedRun.Failure(
                description: "octoDNS planned no change; its output: \(out.suffix(2000)) \(log.suffix(2000))")
        }
        return runs
    }
}
