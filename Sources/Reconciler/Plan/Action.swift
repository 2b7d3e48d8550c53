import DesiredState
import Foundation

/// One change a plan makes, in the order apply runs them (DESIGN §7: serve before advertise,
/// withdraw before unserve).
public struct Action: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case nginxAddListen = "nginx.add-listen"
        case nginxRemoveListen = "nginx.remove-listen"
        case dnsAdd = "dns.add"
        case dnsDelete = "dns.delete"
    }

    /// Apply's steps, in order.
    public enum Phase: Int, Sendable, Hashable, Codable, Comparable, CaseIterable {
        /// nginx additions: test, reload, verify the new sockets answer.
        case serve = 1
        /// DNS additions and replacements, once what they advertise is served.
        case advertise = 2
        /// DNS removals.
        case withdraw = 3
        /// nginx removals, once nothing advertises them.
        case unserve = 4

        public static func < (l: Phase, r: Phase) -> Bool { l.rawValue < r.rawValue }
    }

    public var kind: Kind
    public var phase: Phase
    public var vhost: String
    public var family: AddressFamily
    public var port: UInt16?
    /// nginx actions: the file (absolute), the line the directive lands on or leaves, its text.
    public var file: String?
    public var line: Int?
    public var text: String?
    /// DNS actions: the record.
    public var zone: String?
    public var name: String?
    public var type: String?
    public var ttl: UInt32?
    public var value: String?
    /// nginx removals: not before this time (ISO 8601), when resolvers can no longer hold the
    /// record withdrawn for the same vhost and family (its TTL after the withdrawal).
    public var notBefore: String? = nil

    public static func nginx(
        _ kind: Kind, phase: Phase, vhost: String, family: AddressFamily, port: UInt16, file: String, line: Int,
        text: String
    ) -> Action {
        Action(
            kind: kind, phase: phase, vhost: vhost, family: family, port: port, file: file, line: line, text: text,
            zone: nil, name: nil, type: nil, ttl: nil, value: nil)
    }

    public static func dns(
        _ kind: Kind, phase: Phase, vhost: String, family: AddressFamily, zone: String, name: String, ttl: UInt32,
        value: String
    ) -> Action {
        Action(
            kind: kind, phase: phase, vhost: vhost, family: family, port: nil, file: nil, line: nil, text: nil,
            zone: zone, name: name, type: family.recordTypeName, ttl: ttl, value: value)
    }

    /// Whether an nginx removal must still wait for resolvers' caches at `now`.
    public func waits(at now: Date) -> Bool {
        guard let notBefore, let time = ISO8601DateFormatter().date(from: notBefore) else { return false }
        return time > now
    }

    enum CodingKeys: String, CodingKey {
        case kind, phase, vhost, family, port, file, line, text, zone, name, type, ttl, value
        case notBefore = "not_before"
    }

    /// The record as a zone-file line (DNS actions).
    public var recordLine: String {
        "\(name ?? "") \(ttl ?? 0) IN \(type ?? "") \(value ?? "")"
    }
}
