import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Timing and memory figures shared by every benchmark subcommand.
enum Measurement {
    /// Runs `body` `iterations` times (after `warmup` unmeasured runs) and returns each
    /// run's wall time in milliseconds.
    static func time(iterations: Int, warmup: Int = 1, _ body: () throws -> Void) rethrows -> [Double] {
        for _ in 0..<warmup { try body() }
        var samples: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            let end = DispatchTime.now().uptimeNanoseconds
            samples.append(Double(end - start) / 1_000_000)
        }
        return samples
    }

    /// Async variant of ``time(iterations:warmup:_:)``.
    static func time(iterations: Int, warmup: Int = 1, _ body: () async throws -> Void) async rethrows -> [Double] {
        for _ in 0..<warmup { try await body() }
        var samples: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            try await body()
            let end = DispatchTime.now().uptimeNanoseconds
            samples.append(Double(end - start) / 1_000_000)
        }
        return samples
    }

    static func median(_ samples: [Double]) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Peak resident set size of this process so far, in MiB: `VmHWM` from
    /// /proc/self/status. (getrusage's ru_maxrss would include the peak of a parent that
    /// exec'd us, such as `swift run`.)
    static func peakRSSMiB() -> Double {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kib = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        {
            return kib / 1024
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// Resets the peak RSS (Linux: writing 5 to /proc/self/clear_refs), so a later
    /// ``peakRSSMiB()`` measures only what ran after, not data generation.
    static func resetPeakRSS() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// Formats a figure with one decimal.
    static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Prints the table rows then the final JSON line.
    static func report(rows: [(String, String)], json: [String: Any]) {
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows {
            print(label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
        let data = (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])) ?? Data()
        print(String(decoding: data, as: UTF8.self))
    }
}
