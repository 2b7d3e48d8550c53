import DesiredState
import Foundation
import Nginx

/// Findings plus the ordered actions that fix them, with what each action expects of the
/// world. A value: planning computes it without I/O; apply only executes it.
public struct Plan: Sendable, Codable {
    public var schema = 1
    /// When the plan was made (ISO 8601, UTC).
    public var createdAt: String
    public var desired: DesiredFingerprint
    /// True when nothing is wrong and nothing would change.
    public var inSync: Bool
    public var findings: [Finding]
    /// Sorted by phase.
    public var actions: [Action]
    /// Things the planner could not decide and left alone, in words.
    public var notes: [String]
    /// Reloads an interrupted apply still owes (absent when none): what is on disk is not what
    /// nginx or the DNS server runs, so the plan is not in sync even with no action; apply
    /// does them first.
    public var pendingReloads: [String]?
    /// Checks the run could not make (absent when none): the plan may be "in sync" only as far
    /// as it could see, and says so.
    public var checksNotRun: [CheckNotRun]?
    public var preconditions: Preconditions
    /// Where the records came from (for output): e.g. `zone file example/zones/x.zone`.
    public var dnsSource: String
    /// The nginx main configuration, absolute (text output shows it relative to the working
    /// directory, as it shows the desired-state directory).
    public var nginxConfig: String

    /// The version of reconcile that made the plan (``ReconcileVersion``); nil in a plan
    /// saved before plans carried it.
    public var reconcileVersion: String? = ReconcileVersion.current

    enum CodingKeys: String, CodingKey {
        case schema
        case createdAt = "created_at"
        case desired
        case inSync = "in_sync"
        case findings, actions, notes, preconditions
        case pendingReloads = "pending_reloads"
        case checksNotRun = "checks_not_run"
        case dnsSource = "dns_source"
        case nginxConfig = "nginx_config"
        case reconcileVersion = "reconcile_version"
    }

    public init(
        createdAt: String, desired: DesiredFingerprint, findings: [Finding], actions: [Action], notes: [String],
        preconditions: Preconditions, dnsSource: String, nginxConfig: String, pendingReloads: [String] = []
    ) {
        self.createdAt = createdAt
        self.desired = desired
        self.findings = findings
        self.actions = actions
        self.notes = notes
        self.preconditions = preconditions
        self.dnsSource = dnsSource
        self.nginxConfig = nginxConfig
        self.pendingReloads = pendingReloads.isEmpty ? nil : pendingReloads
        self.inSync = actions.isEmpty && !findings.contains { $0.severity.isDrift } && pendingReloads.isEmpty
    }

    /// Encodes the plan as the documented JSON (schema 1).
    public func jsonData() throws -> Data {
        Data(PlanJSONWriter.encode(self))
    }

    /// The same JSON as ``jsonData()``, handed to `write` in chunks of about a megabyte as it
    /// is produced (for printing a large plan without holding it whole).
    public func streamJSON(to write: @escaping (ArraySlice<UInt8>) -> Void) {
        PlanJSONWriter.stream(self, to: write)
    }

    /// Decodes a saved plan, refusing other schema versions.
    public static func decode(_ data: Data) throws(ReconcileError) -> Plan {
        do {
            let plan = try JSONDecoder().decode(Plan.self, from: data)
            guard plan.schema == 1 else {
                throw ReconcileError.other("plan schema \(plan.schema) is not supported (expected 1)")
            }
            return plan
        } catch let error as ReconcileError {
            throw error
        } catch {
            throw .other("not a reconcile plan: \(error)")
        }
    }
}

/// Identifies the desired state a plan was made from.
public struct DesiredFingerprint: Sendable, Hashable, Codable {
    /// SHA-256 over the desired-state files' paths and bytes.
    public var digest: String
    /// `git rev-parse HEAD` of the checkout, when the directory is one.
    public var gitCommit: String?
    /// Whether the checkout had uncommitted changes.
    public var gitDirty: Bool?

    enum CodingKeys: String, CodingKey {
        case digest
        case gitCommit = "git_commit"
        case gitDirty = "git_dirty"
    }

    public init(digest: String, gitCommit: String? = nil, gitDirty: Bool? = nil) {
        self.digest = digest
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
    }
}

/// What a plan expects of the world: any difference makes a saved plan stale.
public struct Preconditions: Sendable, Hashable, Codable {
    public struct FileDigest: Sendable, Hashable, Codable {
        public var path: String
        public var sha256: String
    }

    public struct RecordSetState: Sendable, Hashable, Codable {
        public var name: String
        public var type: String
        public var values: [String]
    }

    /// Every file of the nginx tree.
    public var nginxFiles: [FileDigest]
    /// The A and AAAA record sets of every vhost.
    public var recordSets: [RecordSetState]

    enum CodingKeys: String, CodingKey {
        case nginxFiles = "nginx_files"
        case recordSets = "record_sets"
    }

    public init(nginxFiles: [FileDigest], recordSets: [RecordSetState]) {
        self.nginxFiles = nginxFiles
        self.recordSets = recordSets
    }

    /// Human sentences for each difference between `self` (saved) and `current`.
    public func differences(from current: Preconditions) -> [String] {
        var out: [String] = []
        let now = Dictionary(current.nginxFiles.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        let then = Dictionary(nginxFiles.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        for (path, digest) in then.sorted(by: { $0.key < $1.key }) {
            if let d = now[path] {
                if d != digest { out.append("nginx file \(path) changed since the plan was made") }
            } else {
                out.append("nginx file \(path) is no longer part of the configuration")
            }
        }
        for path in now.keys.sorted() where then[path] == nil {
            out.append("nginx file \(path) was added to the configuration")
        }
        let sets = Dictionary(
            current.recordSets.map { ("\($0.name) \($0.type)", $0.values) }, uniquingKeysWith: { a, _ in a })
        for set in recordSets {
            let key = "\(set.name) \(set.type)"
            let values = sets[key] ?? []
            if values != set.values {
                out.append(
                    "record set \(key) changed: was [\(set.values.joined(separator: ", "))], now [\(values.joined(separator: ", "))]"
                )
            }
        }
        return out
    }
}

/// The record-set changes of one phase in one zone.
public struct DNSPhaseChange: Sendable, Hashable {
    public var phase: Action.Phase
    public var zone: String
    public var changes: [RecordSetChange]
}

extension Plan {
    /// The DNS actions as the messages apply sends: per phase, zone by zone (sorted), one
    /// change per record set (in the order the actions name them), each with the set's values
    /// as read as its prerequisite. Derived from ``actions``: nothing else says what changes.
    public var dnsChanges: [DNSPhaseChange] {
        var out: [DNSPhaseChange] = []
        for phase in Action.Phase.allCases {
            var zones: [String: [RecordSetChange]] = [:]
            var slot: [String: Int] = [:]
            for action in actions where action.phase == phase {
                guard let record = action.recordEdit else { continue }
                let key = "\(record.zone) \(record.name) \(action.family)"
                if slot[key] == nil {
                    slot[key] = zones[record.zone, default: []].count
                    zones[record.zone, default: []].append(
                        RecordSetChange(
                            name: record.name, family: action.family, expected: record.prerequisite, adding: [],
                            deleting: [], ttl: record.ttl))
                }
                guard let index = slot[key] else { continue }
                if action.kind == .dnsAdd {
                    // A set's added records all carry the desired TTL; a deleted one's TTL is
                    // what it had (a delete matches by value, as in RFC 2136).
                    if zones[record.zone]?[index].adding.isEmpty == true { zones[record.zone]?[index].ttl = record.ttl }
                    zones[record.zone]?[index].adding.append(record.value)
                } else {
                    zones[record.zone]?[index].deleting.append(record.value)
                }
            }
            for zone in zones.keys.sorted() {
                out.append(DNSPhaseChange(phase: phase, zone: zone, changes: zones[zone] ?? []))
            }
        }
        return out
    }

    /// The nginx edits of the phases up to and including `phase`, per file (path), in plan
    /// order: what a file holds after that phase is ``NginxListenEdit/applied(_:to:)`` of
    /// them on the file as the plan read it.
    public func nginxEdits(through phase: Action.Phase) -> [String: [NginxListenEdit]] {
        var out: [String: [NginxListenEdit]] = [:]
        for action in actions where action.phase <= phase {
            if let edit = action.nginxEdit { out[edit.path, default: []].append(edit) }
        }
        return out
    }
}
