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
    public static func make(
        for settings: DNSSettings, timeout: Duration = .seconds(3), retries: Int = 2
    ) throws(ReconcileError) -> any DNSProvider {
        switch settings.provider {
        case .rfc2136(let server, let tsig):
            var key: TSIGKey?
            if let tsig {
                key = try loadKey(tsig)
            }
            let client = DNSClient(
                server: server, timeout: timeout, retries: retries, transferLimits: settings.transferLimits)
            return RFC2136Provider(client: client, key: key)
        case .zonefile(let path, let reload):
            guard let zone = settings.zones.first else { throw .other("provider zonefile needs one zone in dns.zones") }
            return ZoneFileDNSProvider(provider: ZoneFileProvider(path: path, origin: zone, reloadCommand: reload))
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
        do {
            text = try String(contentsOfFile: tsig.secretFile, encoding: .utf8)
        } catch {
            throw .tsigKey(path: tsig.secretFile, reason: "cannot read it (\((error as NSError).localizedDescription))")
        }
        var info = stat()
        if stat(tsig.secretFile, &info) == 0, info.st_mode & 0o044 != 0 {
            let readers = [info.st_mode & 0o040 != 0 ? "its group" : nil, info.st_mode & 0o004 != 0 ? "others" : nil]
                .compactMap { $0 }.joined(separator: " and ")
            warn(
                "warning: \(tsig.secretFile): the TSIG key file is readable by \(readers) (mode \(String(info.st_mode & 0o777, radix: 8))); anyone who reads it can change the zone: chmod 600 it"
            )
        }
        let algorithm: TSIGAlgorithm = tsig.algorithm == .hmacSHA512 ? .hmacSHA512 : .hmacSHA256
        do {
            return try TSIGKey.parse(text, source: tsig.secretFile, name: tsig.name, algorithm: algorithm)
        } catch {
            throw .tsigKey(path: tsig.secretFile, reason: redacting(text, in: "\(error)"))
        }
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
/// written by RFC 2136 UPDATE signed with TSIG.
public struct RFC2136Provider: DNSProvider {
    public let client: DNSClient
    public let key: TSIGKey?
    /// How many queries run at once in the query fallback.
    public var queryConcurrency = 32

    public init(client: DNSClient, key: TSIGKey?) {
        self.client = client
        self.key = key
    }

    public var readOnlyReason: String? {
        key == nil ? "dns.tsig is not set, so DNS is read-only; add a TSIG key to let apply change records" : nil
    }

    public var summary: String { "server \(client.server)" }

    public func observe(zones: [DNSName], names: [DNSName]) async throws(ReconcileError) -> DNSObservation {
        var snapshots: [DNSName: ZoneSnapshot] = [:]
        for zone in zones {
            do {
                let transfer = try await client.transferZone(zone, key: key)
                snapshots[zone] = ZoneSnapshot(zone: zone, serial: transfer.serial, source: .axfr, records: transfer.records)
            } catch {
                switch error {
                case .refused, .notAuth, .unexpectedResponseCode:
                    let inZone = names.filter { $0.isSubdomain(of: zone) }
                    snapshots[zone] = try await queryZone(zone, names: inZone)
                default:
                    throw .dns(zone: zone.description, error)
                }
            }
        }
        return DNSObservation(zones: snapshots)
    }

    /// Reads the records of `names` one query at a time (bounded concurrency), following
    /// CNAMEs that stay inside the zone.
    func queryZone(_ zone: DNSName, names: [DNSName]) async throws(ReconcileError) -> ZoneSnapshot {
        let client = self.client
        let soa: QueryResult
        do {
            soa = try await client.query(zone, .soa)
        } catch {
            throw .dns(zone: zone.description, error)
        }
        guard case .soa(let soaData)? = soa.records(.soa, of: zone).first?.data else {
            throw .other("zone \(zone): the server has no SOA for it (is it authoritative for this zone?)")
        }
        var records: [ResourceRecord] = []
        var pending = names
        var seen = Set(names)
        while !pending.isEmpty {
            let batch = pending
            pending = []
            let results: [Result<[ResourceRecord], DNSError>] = await withTaskGroup(
                of: (Int, Result<[ResourceRecord], DNSError>).self
            ) { group in
                var out = [Result<[ResourceRecord], DNSError>](repeating: .success([]), count: batch.count)
                var next = 0
                func launch(_ i: Int) {
                    let name = batch[i]
                    group.addTask {
                        var found: [ResourceRecord] = []
                        for type in [RecordType.a, .aaaa, .cname] {
                            do throws(DNSError) {
                                found += try await client.query(name, type).records(type, of: name)
                            } catch {
                                return (i, .failure(error))
                            }
                        }
                        return (i, .success(found))
                    }
                }
                while next < min(queryConcurrency, batch.count) {
                    launch(next)
                    next += 1
                }
                for await (i, result) in group {
                    out[i] = result
                    if next < batch.count {
                        launch(next)
                        next += 1
                    }
                }
                return out
            }
            for result in results {
                switch result {
                case .failure(let error): throw .dns(zone: zone.description, error)
                case .success(let found):
                    records += found
                    for case .cname(let target) in found.map(\.data) where target.isSubdomain(of: zone) {
                        if seen.insert(target).inserted { pending.append(target) }
                    }
                }
            }
        }
        return ZoneSnapshot(zone: zone, serial: soaData.serial, source: .queries, records: records)
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
                operations.append(.deleteRecord(name: name, type: change.type, data: try RecordSetChange.rdata(value, change.family)))
            }
            operations += try change.records(change.adding).map { UpdateOperation.add($0) }
            updates.append(
                UpdateChange(prerequisites: [.rrsetEquals(name: name, type: change.type, values: expected)], operations: operations))
        }
        do {
            try await client.update(zone: zone, changes: updates, key: key) { _ in FaultPoint.reach(.beforeUpdateMessage) }
        } catch {
            throw .dns(zone: zone.description, error)
        }
    }
}

/// A zone kept as an RFC 1035 master file: edited in place (serial bumped), then reloaded.
public struct ZoneFileDNSProvider: DNSProvider {
    public let provider: ZoneFileProvider

    public init(provider: ZoneFileProvider) { self.provider = provider }

    public var readOnlyReason: String? { nil }
    public var summary: String { "zone file \(Paths.display(provider.path, from: FileManager.default.currentDirectoryPath))" }

    public func observe(zones: [DNSName], names: [DNSName]) async throws(ReconcileError) -> DNSObservation {
        let file: ZoneFile
        do {
            file = try provider.load()
        } catch {
            throw .zoneFile(error)
        }
        let snapshot = ZoneSnapshot(
            zone: provider.origin, serial: file.soa.serial, source: .zoneFile, digest: file.digest, records: file.records)
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
                FaultPoint.reach(.afterZoneWrite)
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
