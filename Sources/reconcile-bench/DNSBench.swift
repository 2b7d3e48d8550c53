import ArgumentParser
import DNS
import Foundation
import TestSupport

/// DESIGN §12 `dns`: a generated zone of about 2.8 records per vhost loaded into a real
/// named; measures AXFR (end to end, and decoding alone), 4,000 signed UPDATE additions and
/// peak memory.
struct DNSBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns", abstract: "AXFR and UPDATE against a real named serving a generated zone.")

    @Option(help: "Number of vhosts to generate.") var vhosts = 20000
    @Option(help: "Measured runs of each step (after one warm-up).") var iterations = 5
    @Option(help: "Records added per UPDATE run.") var additions = 4000

    static let origin = "bench.test"

    func run() throws {
        let figures = try Self.blocking { try await measure() }
        Measurement.report(
            rows: [
                ("records in zone", "\(figures.records)"),
                ("AXFR median (end to end)", "\(Measurement.fmt(figures.axfrMedian)) ms"),
                ("AXFR decode median", "\(Measurement.fmt(figures.decodeMedian)) ms (\(figures.messages) messages)"),
                (
                    "\(additions) additions median",
                    "\(Measurement.fmt(figures.updateMedian)) ms (\(figures.updateMessages) messages, TSIG hmac-sha256)"
                ),
                ("peak RSS", "\(Measurement.fmt(Measurement.peakRSSMiB())) MiB"),
            ],
            json: [
                "bench": "dns", "vhosts": vhosts, "records": figures.records,
                "axfr_median_ms": figures.axfrMedian, "axfr_decode_median_ms": figures.decodeMedian,
                "axfr_messages": figures.messages, "additions": additions,
                "update_median_ms": figures.updateMedian, "update_messages": figures.updateMessages,
                "peak_rss_mb": Measurement.peakRSSMiB(),
            ])
    }

    struct Figures: Sendable {
        var records = 0
        var messages = 0
        var axfrMedian = 0.0
        var decodeMedian = 0.0
        var updateMedian = 0.0
        var updateMessages = 0
    }

    func measure() async throws -> Figures {
        let named = try NamedServer(
            zones: [
                NamedServer.Zone(
                    name: Self.origin, contents: NamedServer.generatedZone(origin: Self.origin, vhosts: vhosts))
            ],
            keyAlgorithms: ["hmac-sha256"], startupTimeout: 120)
        defer { named.stop() }
        guard let keyFile = named.key("hmac-sha256")?.keyFile else { throw ValidationError("named has no key") }
        let key = try TSIGKey.parse(keyFile, source: "tsig-keygen output")
        let zone = try DNSName(Self.origin + ".")
        let client = DNSClient(server: try DNSServerAddress(host: "127.0.0.1", port: named.port), timeout: .seconds(30))
        var figures = Figures()

        // Only the count is kept across runs, so at most one transfer is in memory at a time.
        let axfr = try await Measurement.time(iterations: iterations) {
            figures.records = try await client.transferZone(zone, key: key).records.count
        }
        figures.axfrMedian = Measurement.median(axfr)
        let transfer = try await client.transferZone(zone, key: key)

        // Decoding alone: the same records in messages of the size named sends (~64 KB).
        let messages = Self.axfrMessages(transfer.records)
        figures.messages = messages.count
        let decode = Measurement.time(iterations: iterations) {
            var decoded = 0
            for bytes in messages { decoded += (try? DNSMessage.decode(bytes).answers.count) ?? 0 }
            precondition(decoded == transfer.records.count, "decoded \(decoded) of \(transfer.records.count)")
        }
        figures.decodeMedian = Measurement.median(decode)

        var run = 0
        let updates = try await Measurement.time(iterations: iterations) {
            run += 1
            let changes = try (0..<additions).map { i in
                guard let address = IPv4Bytes([192, 0, UInt8(i >> 8 & 0xFF), UInt8(i & 0xFF)]) else {
                    throw ValidationError("bad generated address")
                }
                return UpdateChange.replace(
                    name: try DNSName("add\(run)-\(i).\(Self.origin)."), type: .a, old: [], new: [.a(address)], ttl: 300
                )
            }
            figures.updateMessages = try await client.update(zone: zone, changes: changes, key: key)
        }
        figures.updateMedian = Measurement.median(updates)
        return figures
    }

    /// Packs records into AXFR-like response messages of at most ~64 KB.
    static func axfrMessages(_ records: [ResourceRecord]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var current: [ResourceRecord] = []
        var size = 12
        for record in records {
            let estimate = record.name.wireLength + 10 + 64
            if size + estimate > 60_000 {
                out.append(DNSMessage(header: DNSHeader(id: 1, isResponse: true), answers: current).encode())
                current = []
                size = 12
            }
            current.append(record)
            size += estimate
        }
        if !current.isEmpty {
            out.append(DNSMessage(header: DNSHeader(id: 1, isResponse: true), answers: current).encode())
        }
        return out
    }

    /// The result handed from the task to the waiting thread; the semaphore orders the accesses.
    final class Outcome<T>: @unchecked Sendable {
        var result: Result<T, any Error>?
    }

    /// Runs async work from this synchronous command (the bench's root command is synchronous).
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                outcome.result = .success(try await body())
            } catch {
                outcome.result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        guard let result = outcome.result else { throw ValidationError("benchmark did not finish") }
        return try result.get()
    }
}
