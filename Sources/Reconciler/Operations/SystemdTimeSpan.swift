import Foundation

/// A systemd time span (`5min`, `90s`, `1h 30min`, `2d`), parsed as systemd.time(7) does so
/// that a unit we print never fails to load over a value we accepted.
public struct SystemdTimeSpan: Sendable, Hashable {
    /// The text as given, which is what goes into the unit file.
    public let text: String
    /// The span in seconds.
    public let seconds: Double

    private static let units: [(suffixes: [String], seconds: Double)] = [
        (["usec", "us", "µs", "μs"], 1e-6),
        (["msec", "ms"], 1e-3),
        (["seconds", "second", "sec", "s"], 1),
        (["minutes", "minute", "min", "m"], 60),
        (["hours", "hour", "hr", "h"], 3600),
        (["days", "day", "d"], 86400),
        (["weeks", "week", "w"], 604_800),
        (["months", "month", "M"], 2_629_800),
        (["years", "year", "y"], 31_557_600),
    ]

    /// Parses `text`; a bare number means seconds. Throws ``ReconcileError/invalidInterval(_:)``.
    public init(_ text: String) throws {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { throw ReconcileError.invalidInterval(text) }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { throw ReconcileError.invalidInterval(text) }
            rest = rest.dropFirst(number.count).drop { $0 == " " }
            let word = rest.prefix { $0.isLetter || $0 == "µ" || $0 == "μ" }
            if word.isEmpty {
                total += value
            } else {
                guard let unit = Self.units.first(where: { $0.suffixes.contains(String(word)) }) else {
                    throw ReconcileError.invalidInterval(text)
                }
                total += value * unit.seconds
                rest = rest.dropFirst(word.count)
            }
            rest = rest.drop { $0 == " " }
        }
        guard total > 0 else { throw ReconcileError.invalidInterval(text) }
        self.text = text.trimmingCharacters(in: .whitespaces)
        seconds = total
    }
}
