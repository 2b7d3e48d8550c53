import ArgumentParser
import Foundation
import Reconciler

/// Options of commands that observe nginx and DNS.
struct ObservationOptions: ParsableArguments {
    @Option(
        name: .customLong("dns-timeout"),
        help: ArgumentHelp("Seconds to wait for each DNS answer.", valueName: "seconds"))
    var dnsTimeout: Double = 3

    @Flag(
        name: .customLong("no-interface-check"),
        help: "Do not check that the host's addresses are on this machine's interfaces.")
    var noInterfaceCheck = false
}

/// `--host` of plan, apply and probe (DESIGN §15).
struct HostOption: ParsableArguments {
    @Option(
        name: .customLong("host"),
        help: ArgumentHelp(
            "With hosts: in the desired state, the host this run is (default: the one whose addresses are on this machine's interfaces).",
            valueName: "name"))
    var host: String?
}

/// `--withdraw-unhealthy` of plan and apply (DESIGN §15).
struct FleetOptions: ParsableArguments {
    @Flag(
        name: .customLong("withdraw-unhealthy"),
        help:
            "With hosts:, withdraw this host's address of a vhost and family its nginx does not serve (never the last one)."
    )
    var withdrawUnhealthy = false
}

/// Options of commands that probe the vhosts (DESIGN §8): `probe`, and `plan --probe`.
struct ProbeOptions: ParsableArguments {
    @Option(
        name: .customLong("timeout"),
        help: ArgumentHelp(
            "Seconds each probe may take in all: connect, TLS handshake, GET / and its first 64 KiB (default 5).",
            valueName: "seconds"))
    var timeoutOption: Double?

    @Option(
        name: .customLong("concurrency"),
        help: ArgumentHelp("How many probes run at once (default 64).", valueName: "n"))
    var concurrencyOption: Int?

    @Option(
        help: ArgumentHelp(
            "PEM file of the certificate authorities to trust instead of the system store (a private CA, or self-signed certificates).",
            valueName: "path"))
    var caFile: String?

    var timeout: Double { timeoutOption ?? 5 }
    var concurrency: Int { concurrencyOption ?? 64 }

    /// Whether any probe option was given (`plan` refuses them without `--probe`).
    var isGiven: Bool { timeoutOption != nil || concurrencyOption != nil || caFile != nil }

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else {
            throw ValidationError(
                "--timeout \(timeout): give the seconds a probe may take, more than 0 and at most 3600")
        }
        guard concurrency >= 1 else {
            throw ValidationError("--concurrency \(concurrency): at least one probe must run")
        }
    }

    /// The probe settings these flags give.
    var settings: Reconciliation.ProbeSettings {
        Reconciliation.ProbeSettings(timeout: timeout, concurrency: concurrency, caFile: caFile)
    }
}

/// `--metrics-file`, taken by plan, apply and probe (docs/metrics.md).
struct MetricsOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "After the run (also a failed one), write its Prometheus metrics to this file, atomically, for node_exporter's textfile collector.",
            valueName: "path"))
    var metricsFile: String?

    func validate() throws {
        if let metricsFile, !metricsFile.hasSuffix(".prom") {
            throw ValidationError(
                "--metrics-file \(metricsFile): node_exporter's textfile collector reads only files whose name ends in .prom"
            )
        }
    }
}
