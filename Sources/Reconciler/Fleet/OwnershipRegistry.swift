import DNS
import DesiredState
import Foundation

/// The desired state's revision a run works from: its git commit and the commit's time, which
/// orders revisions without the history (DESIGN §15). Outside a checkout it is `none` at time
/// 0: older than every commit, so such a run never withdraws another host's address.
public struct DesiredRevision: Sendable, Hashable {
    /// 7 to 64 lowercase hex digits, or `none`.
    public var commit: String
    /// Seconds since 1970 (the committer time).
    public var time: Int64

    public init(commit: String, time: Int64) {
        self.commit = commit
        self.time = time
    }

    public static let unknown = DesiredRevision(commit: "none", time: 0)

    /// `git rev-parse HEAD` and its committer time in `directory`, or ``unknown``.
    public static func of(directory: String) -> DesiredRevision {
        guard let text = Fingerprints.git(["-C", directory, "log", "-1", "--format=%H %ct"]) else { return .unknown }
        let parts = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard parts.count == 2, OwnershipEntry.isCommit(parts[0]), let time = Int64(parts[1]), time >= 0 else {
            return .unknown
        }
        return DesiredRevision(commit: parts[0], time: time)
    }

    /// Whether this revision is strictly newer than the one an entry was written at.
    public func isNewer(than entry: OwnershipEntry) -> Bool { time > entry.time }
}

/// One entry of the TXT registry: host `host` published `address` while on `commit`. Read back
/// from DNS, where anyone who can write the zone may have put anything: parsed strictly.
public struct OwnershipEntry: Sendable, Hashable {
    public var host: String
    public var address: String
    public var family: AddressFamily
    public var commit: String
    public var time: Int64

    public init(host: String, address: String, family: AddressFamily, commit: String, time: Int64) {
        self.host = host
        self.address = address
        self.family = family
        self.commit = commit
        self.time = time
    }

    public init(host: String, address: String, family: AddressFamily, revision: DesiredRevision) {
        self.init(host: host, address: address, family: family, commit: revision.commit, time: revision.time)
    }

    /// The TXT string: `reconcile-owner host=web1 address=192.0.2.1 commit=0a1b… time=1764586000`.
    public var text: String { "reconcile-owner host=\(host) address=\(address) commit=\(commit) time=\(time)" }

    public var rdata: RData { .txt([Array(text.utf8)]) }

    static func isCommit(_ text: String) -> Bool {
        text == "none"
            || ((7...64).contains(text.utf8.count)
                && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
    }

    /// The entry a TXT record holds, or nil for anything else: exactly one string of at most
    /// 255 bytes, the four fields in order, each value in its strict form (an address in
    /// canonical text, so `address=` compares with what the zone publishes).
    public static func parse(_ data: RData) -> OwnershipEntry? {
        guard case .txt(let strings) = data, strings.count == 1, let bytes = strings.first, bytes.count <= 255,
            bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f })
        else { return nil }
        let words = String(decoding: bytes, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 5, words[0] == "reconcile-owner" else { return nil }
        func value(_ index: Int, _ key: String) -> String? {
            let word = words[index]
            guard word.hasPrefix(key + "=") else { return nil }
            return String(word.dropFirst(key.count + 1))
        }
        guard let host = value(1, "host"), Fleet.isValidHostName(host), let address = value(2, "address"),
            let commit = value(3, "commit"), isCommit(commit), let timeText = value(4, "time"),
            (1...12).contains(timeText.utf8.count), timeText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let time = Int64(timeText), String(time) == timeText
        else { return nil }
        let family: AddressFamily
        if let v4 = IPv4Bytes(address), v4.description == address {
            family = .ipv4
        } else if let v6 = IPv6Bytes(address), v6.description == address {
            family = .ipv6
        } else {
            return nil
        }
        return OwnershipEntry(host: host, address: address, family: family, commit: commit, time: time)
    }
}

/// Where the registry of a managed name lives, and reading it (DESIGN §15): TXT records at
/// `_reconcile.<name>`, one per published address, as external-dns keeps its owner records.
public enum OwnershipRegistry {
    /// At most this many registry records of one name are read; the rest count as rejected.
    public static let maxEntries = 64

    /// `_reconcile.<name>`; for a wildcard `*.zone`, `_reconcile._wildcard.zone` (a `*` label
    /// anywhere but first is not a wildcard, and would only confuse).
    public static func name(for owner: DNSName) -> DNSName? {
        var labels = owner.labels
        if labels.first == [UInt8(ascii: "*")] { labels[0] = Array("_wildcard".utf8) }
        return try? DNSName(labels: [Array("_reconcile".utf8)] + labels)
    }

    /// The entries among `records` (TXT records of the registry name), and how many records
    /// were not entries (unparseable, or past ``maxEntries``).
    public static func entries(_ records: [ResourceRecord]) -> (entries: [OwnershipEntry], rejected: Int) {
        var entries: [OwnershipEntry] = []
        var rejected = 0
        for record in records where record.type == .txt {
            guard entries.count < maxEntries, let entry = OwnershipEntry.parse(record.data) else {
                rejected += 1
                continue
            }
            entries.append(entry)
        }
        return (entries, rejected)
    }
}
