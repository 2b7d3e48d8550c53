import DesiredState
import Foundation
import Nginx

/// One change a plan makes, in the order apply runs them (DESIGN §7: serve before advertise,
/// withdraw before unserve). It carries exactly what executes: the text and JSON output, a
/// saved plan's staleness check and apply all read the same ``change``.
public struct Action: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case nginxAddListen = "nginx.add-listen"
        case nginxRemoveListen = "nginx.remove-listen"
        case dnsAdd = "dns.add"
        case dnsDelete = "dns.delete"

        var isNginx: Bool { self == .nginxAddListen || self == .nginxRemoveListen }
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

    /// What the action changes.
    public enum Change: Sendable, Hashable {
        /// Bytes of an nginx file, as a range of the file as the plan read it (its digest is
        /// in the plan's preconditions).
        case nginx(NginxListenEdit)
        /// One record of an A or AAAA set, sent with the set as read as its prerequisite.
        case dns(RecordEdit)
    }

    public var kind: Kind
    public var phase: Phase
    public var vhost: String
    public var family: AddressFamily
    /// The port an nginx action adds or removes a listen for.
    public var port: UInt16?
    public var change: Change
    /// nginx removals: not before this time (ISO 8601), when resolvers can no longer hold the
    /// record withdrawn for the same vhost and family (its TTL after the withdrawal).
    public var notBefore: String? = nil

    public static func nginx(
        _ kind: Kind, phase: Phase, vhost: String, family: AddressFamily, port: UInt16, edit: NginxListenEdit
    ) -> Action {
        Action(kind: kind, phase: phase, vhost: vhost, family: family, port: port, change: .nginx(edit))
    }

    public static func dns(
        _ kind: Kind, phase: Phase, vhost: String, family: AddressFamily, record: RecordEdit
    ) -> Action {
        Action(kind: kind, phase: phase, vhost: vhost, family: family, port: nil, change: .dns(record))
    }

    /// The nginx edit, for nginx actions.
    public var nginxEdit: NginxListenEdit? {
        if case .nginx(let edit) = change { return edit }
        return nil
    }

    /// The record change, for DNS actions.
    public var recordEdit: RecordEdit? {
        if case .dns(let record) = change { return record }
        return nil
    }

    /// nginx actions: the file (absolute), the line the directive lands on or leaves, its text.
    public var file: String? { nginxEdit?.path }
    public var line: Int? { nginxEdit?.line }
    public var text: String? { nginxEdit?.directive }
    /// DNS actions: the record.
    public var zone: String? { recordEdit?.zone }
    public var name: String? { recordEdit?.name }
    public var type: String? { recordEdit == nil ? nil : family.recordTypeName }
    public var ttl: UInt32? { recordEdit?.ttl }
    public var value: String? { recordEdit?.value }

    /// Whether an nginx removal must still wait for resolvers' caches at `now`.
    public func waits(at now: Date) -> Bool {
        guard let notBefore, let time = ISO8601DateFormatter().date(from: notBefore) else { return false }
        return time > now
    }

    /// The record as a zone-file line (DNS actions).
    public var recordLine: String {
        "\(name ?? "") \(ttl ?? 0) IN \(type ?? "") \(value ?? "")"
    }
}

/// One record a DNS action adds or deletes, and the record set it expects to find: the values
/// the set holds as the plan read them, sent as an RFC 2136 prerequisite (or checked against
/// the zone file), so a change made since fails instead of being overwritten.
public struct RecordEdit: Sendable, Hashable {
    /// The zone, absolute with its trailing dot.
    public var zone: String
    /// The owner name, absolute with its trailing dot.
    public var name: String
    public var ttl: UInt32
    public var value: String
    /// The set's values as read, sorted (empty: the set must not exist).
    public var prerequisite: [String]

    public init(zone: String, name: String, ttl: UInt32, value: String, prerequisite: [String]) {
        self.zone = zone
        self.name = name
        self.ttl = ttl
        self.value = value
        self.prerequisite = prerequisite
    }
}
