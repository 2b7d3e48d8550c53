import DNS
import DesiredState
import Foundation

/// Reads and writes the managed zones. The only place reconcile talks DNS.
public protocol DNSProvider: Sendable {
    /// Reads every managed zone. Throws when any zone cannot be read: a plan never proposes
    /// to add or delete on an answer it did not get.
    func observe(zones: [DNSName], names: [DNSName]) async throws(ReconcileError) -> DNSObservation
    /// Applies the changes of one zone, each guarded by the record set it expects.
    func apply(zone: DNSName, changes: [RecordSetChange], observed: ZoneSnapshot?) async throws(ReconcileError)
    /// Why changes cannot be written, or nil when they can.
    var readOnlyReason: String? { get }
    /// Where the records come from, for output.
    var summary: String { get }
    /// Whether ``apply(zone:changes:observed:)`` writes a file and then runs a reload command,
    /// so that a crash between the two leaves the server behind the file.
    var reloadsAfterWriting: Bool { get }
    /// Runs that reload command alone (to finish an apply interrupted between the two).
    func reload(zone: DNSName) throws(ReconcileError)
}

extension DNSProvider {
    public var reloadsAfterWriting: Bool { false }
    public func reload(zone: DNSName) throws(ReconcileError) {}
}

/// Builds the provider the desired state asks for, reading the TSIG key file if there is one.
public enum DNSProviders {
    /// `allowSymlinksOutside` lets the zonefile provider write through a symlink leading out of
    /// the zone file's directory (apply's `--allow-symlinks-outside`).
    /// `effects` is where a write reaches its fault points (``HostEffects/reach(_:)``).
    public static func make(
        for settings: DNSSettings, timeout: Duration = .seconds(3), retries: Int = 2,
        allowSymlinksOutside: Bool = false,
        effects: any HostEffects = SystemEffects()
    ) throws(ReconcileError) -> any DNSProvider {
        switch settings.provider {
        case .rfc2136(let server, let tsig):
            var key: TSIGKey?
            if let tsig {
                key = try loadKey(tsig)
            }
            let client = DNSClient(
                server: server, timeout: timeout, retries: retries, transferLimits: settings.transferLimits)
            var provider = RFC2136Provider(client: client, key: key)
            provider.transfer = settings.transfer
            provider.effects = effects
            return provider
        case .authoritative(let server):
            return AuthoritativeProvider(settings: settings, server: server, timeout: timeout)
        case .zonefile(let path, let reload):
            guard let zone = settings.zones.first else { throw .other("provider zonefile needs one zone in dns.zones") }
            var provider = ZoneFileProvider(path: path, origin: zone, reloadCommand: reload)
            provider.allowSymlinksOutside = allowSymlinksOutside
            var zoneFile = ZoneFileDNSProvider(provider: provider)
            zoneFile.effects = effects
            return zoneFile
        }
    }

    /// Reads the TSIG key. A key file that group or others can read is a warning (on
    /// standard error unless `warn` says otherwise): anyone holding the secret can rewrite
    /// the zone. The secret never appears in an error: words of the file that a failed parse
    /// quotes are redacted.
    static func loadKey(
        _ tsig: TSIGSettings, warn: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    ) throws(ReconcileError) -> TSIGKey {
        let text: String
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: tsig.secretFile, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .tsigKey(path: tsig.secretFile, reason: "it is a directory, not a key file")
        }
        var info = stat()
        let statted = stat(tsig.secretFile, &info) == 0
        do {
            text = try String(contentsOfFile: tsig.secretFile, encoding: .utf8)
        } catch {
            // The usual cause for a plan run by hand: the key is root's and the group's only.
            if statted, access(tsig.secretFile, R_OK) != 0, errno == EACCES {
                let group = Self.groupName(info.st_gid)
                throw .tsigKey(
                    path: tsig.secretFile,
                    reason:
                        "cannot read it as user \(NginxMaster.userName) (mode \(String(info.st_mode & 0o777, radix: 8)), group \(group)): run reconcile as a member of group \(group), or make the key readable by a group for the users who run plan (chgrp reconcile, chmod 640)"
                )
            }
            throw .tsigKey(path: tsig.secretFile, reason: "cannot read it (\((error as NSError).localizedDescription))")
        }
        // Group-readable is the documented way for unprivileged plans (a group such as
        // `reconcile`); readable by everyone is not.
        if statted, info.st_mode & 0o004 != 0 {
            warn(
                "warning: \(tsig.secretFile): the TSIG key file is readable by every user (mode \(String(info.st_mode & 0o777, radix: 8))); anyone who reads it can change the zone: chmod 640 it (or 600), with a group only reconcile's users are in"
            )
        }
        let algorithm: TSIGAlgorithm = tsig.algorithm == .hmacSHA512 ? .hmacSHA512 : .hmacSHA256
        let key: TSIGKey
        do {
            key = try TSIGKey.parse(text, source: tsig.secretFile, name: tsig.name, algorithm: algorithm)
        } catch {
            throw .tsigKey(path: tsig.secretFile, reason: redacting(text, in: "\(error)"))
        }
        // A key clause names its key and algorithm itself; the YAML must say the same, or
        // updates would be signed with something other than what the desired state claims.
        if key.name != tsig.name {
            throw .other(
                "\(tsig.nameSource ?? "dns.tsig.name"): dns.tsig.name is \"\(Self.keyName(tsig.name))\", but the key file \(tsig.secretFile) names key \"\(Self.keyName(key.name))\"; make them agree"
            )
        }
        if key.algorithm != algorithm, let source = tsig.algorithmSource {
            throw .other(
                "\(source): dns.tsig.algorithm is \(tsig.algorithm.rawValue), but the key file \(tsig.secretFile) says algorithm \(key.algorithm.rawValue); make them agree"
            )
        }
        return key
    }

    /// The name of group `gid` (its number when it has none, or an unprintable one).
    static func groupName(_ gid: gid_t) -> String {
        guard let entry = getgrgid(gid), let name = entry.pointee.gr_name else { return "\(gid)" }
        let text = String(cString: name)
        return text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) && !text.isEmpty
            ? text : "\(gid)"
    }

    /// A key name as the YAML and key files write it: without the root's dot.
    static func keyName(_ name: DNSName) -> String {
        let text = name.description
        return text.count > 1 && text.hasSuffix(".") ? String(text.dropLast()) : text
    }

    /// `message` with every word of the key file that could be a secret or part of one
    /// (12 or more base64 characters) replaced by `<REDACTED>`: the DNS module's parse errors
    /// quote words of a malformed file, and a secret out of place is such a word.
    static func redacting(_ keyFile: String, in message: String) -> String {
        let base64 = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
        let words = keyFile.split(whereSeparator: { $0.isWhitespace || "\"{};".contains($0) })
        var out = message
        for word in Set(words) where word.count >= 12 && word.allSatisfy(base64.contains) {
            out = out.replacingOccurrences(of: String(word), with: "<REDACTED>")
        }
        return out
    }
}

/// An authoritative server read by AXFR (or per-name queries when transfer is refused) and
/// written by RFC 2136 UPDATE signed with TSIG. With a key every read is signed and must
/// verify: a signed transfer that fails is an error, never a silent fall back to unsigned
/// queries (an unsigned REFUSED is what a forger on the path would send).
public struct RFC2136Provider: DNSProvider {
    public let client: DNSClient
    public let key: TSIGKey?
    /// `dns.transfer`: AXFR (the default) or per-name queries only.
    public var transfer: DNSSettings.ZoneRead = .axfr
    /// How many queries run at once in the query fallback.
    public var queryConcurrency = 32
    /// Where an update reaches its fault point.
    public var effects: any HostEffects = SystemEffects()

    public init(client: DNSClient, key: TSIGKey?) {
        self.client = client
        self.key = key
    }

    public var readOnlyReason: String? {
        key == nil ? "dns.tsig is not set, so DNS is read-only; add a TSIG key to let apply change records" : nil
    }

    public var summary: String { "server \(client.server)" }

    var reader: ZoneReader { ZoneReader(client: client, key: key, concurrency: queryConcurrency) }

    public func observe(zones: [DNSName], names: [DNSName]) async throws(ReconcileError) -> DNSObservation {
        var snapshots: [DNSName: ZoneSnapshot] = [:]
        let signed = key == nil ? "" : ", signed"
        for zone in zones {
            let inZone = names.filter { $0.isSubdomain(of: zone) }
            if transfer == .queries {
                snapshots[zone] = try await reader.query(
                    zone, names: inZone, how: "queries to \(client.server)\(signed) (dns.transfer: queries)")
                continue
            }
            do {
                snapshots[zone] = try await reader.transfer(zone, how: "AXFR from \(client.server)\(signed)")
            } catch {
                if key != nil {
                    throw .other(
                        "zone \(zone): the signed zone transfer from \(client.server) failed: \(error); reconcile does not fall back to unsigned queries (a forged or misconfigured answer could make it report in sync): fix the key or the server's allow-transfer, or set dns.transfer: queries to read by signed queries"
                    )
                }
                switch error {
                case .refused, .notAuth, .unexpectedResponseCode:
                    snapshots[zone] = try await reader.query(
                        zone, names: inZone,
                        how: "queries to \(client.server) (transfer refused: \(Self.rcodeName(error)))")
                default:
                    throw .dns(zone: zone.description, error)
                }
            }
        }
        return DNSObservation(zones: snapshots)
    }

    static func rcodeName(_ error: DNSError) -> String {
        switch error {
        case .refused: "REFUSED"
        case .notAuth: "NOTAUTH"
        case .unexpectedResponseCode(_, let rcode, _): "\(rcode)"
        default: "\(error)"
        }
    }

    public func apply(zone: DNSName, changes: [RecordSetChange], observed: ZoneSnapshot?) async throws(ReconcileError) {
        guard let key else { throw .other(readOnlyReason ?? "DNS is read-only") }
        var updates: [UpdateChange] = []
        for change in changes {
            let name = try change.dnsName()
            var expected: [RData] = []
            for value in change.expected { expected.append(try RecordSetChange.rdata(value, change.family)) }
            var operations: [UpdateOperation] = []
            for value in change.deleting {
                operations.append(
                    .deleteRecord(name: name, type: change.type, data: try RecordSetChange.rdata(value, change.family)))
            }
            operations += try change.records(change.adding).map { UpdateOperation.add($0) }
            updates.append(
                UpdateChange(
                    prerequisites: [.rrsetEquals(name: name, type: change.type, values: expected)],
                    operations: operations))
        }
        do {
            try await client.update(zone: zone, changes: updates, key: key) { [effects] _ in
                effects.reach(.beforeUpdateMessage)
            }
        } catch {
            throw .dns(zone: zone.description, error)
        }
    }
}

/// A zone kept as an RFC 1035 master file: edited in place (serial bumped), then reloaded.
public struct ZoneFileDNSProvider: DNSProvider {
    public let provider: ZoneFileProvider
    /// Where a write reaches its fault point.
    public var effects: any HostEffects = SystemEffects()

    public init(provider: ZoneFileProvider) { self.provider = provider }

    public var readOnlyReason: String? { nil }
    public var summary: String {
        "zone file \(Paths.display(provider.path, from: FileManager.default.currentDirectoryPath))"
    }

    public func observe(zones: [DNSName], names: [DNSName]) async throws(ReconcileError) -> DNSObservation {
        let file: ZoneFile
        do {
            file = try provider.load()
        } catch {
            throw .zoneFile(error)
        }
        let snapshot = ZoneSnapshot(
            zone: provider.origin, serial: file.soa.serial, source: .zoneFile, digest: file.digest,
            records: file.records)
        return DNSObservation(zones: [provider.origin: snapshot])
    }

    public func apply(zone: DNSName, changes: [RecordSetChange], observed: ZoneSnapshot?) async throws(ReconcileError) {
        var adding: [ResourceRecord] = []
        var deleting: [ResourceRecord] = []
        for change in changes {
            adding += try change.records(change.adding)
            deleting += try change.records(change.deleting)
        }
        do {
            try provider.apply(adding: adding, deleting: deleting, expectedDigest: observed?.digest) {
                effects.reach(.afterZoneWrite)
            }
        } catch {
            throw .zoneFile(error)
        }
    }

    public var reloadsAfterWriting: Bool { provider.reloadCommand != nil }

    public func reload(zone: DNSName) throws(ReconcileError) {
        do {
            try provider.reload()
        } catch {
            throw .zoneFile(error)
        }
    }
}
