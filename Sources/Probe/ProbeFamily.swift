/// The IP address family a probe connects over. Kept separate from the desired-state family so
/// the probe target depends on nothing else in the project.
public enum ProbeFamily: String, Sendable, Hashable, CaseIterable, Comparable {
    case ipv4
    case ipv6

    public static func < (l: ProbeFamily, r: ProbeFamily) -> Bool { l.rawValue < r.rawValue }
}
