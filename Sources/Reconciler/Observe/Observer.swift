import Crypto
import DNS
import DesiredState
import Foundation
import Nginx

/// Gathers everything a plan needs: nginx's tree, the managed zones, the host's interfaces.
/// The only place planning touches disk and network.
public struct Observer: Sendable {
    public let desired: DesiredState
    public let dns: any DNSProvider
    public var checkInterfaces = true

    public init(desired: DesiredState, dns: any DNSProvider) {
        self.desired = desired
        self.dns = dns
    }

    public func observe() async throws(ReconcileError) -> Observation {
        let tree: NginxConfigTree
        do {
            tree = try NginxConfigTree.load(mainConfig: desired.nginx.config, reader: DiskNginxFileReader())
        } catch {
            throw .nginx(error)
        }
        let zones = desired.dns.zones
        let names = desired.vhosts.map(\.dnsName)
        let records = try await dns.observe(zones: zones, names: names)
        for zone in zones where records.zones[zone] == nil {
            throw .other("zone \(zone) was not read; refusing to plan on records that were not seen")
        }
        return Observation(
            nginx: tree, dns: records, interfaces: checkInterfaces ? HostInterfaces.current() : nil,
            dnsSource: dns.summary)
    }
}

/// Identifies the desired state: a digest of its files, and its git commit when it is a checkout.
public enum Fingerprints {
    public static func desiredState(_ desired: DesiredState, directory: String) -> DesiredFingerprint {
        var hasher = SHA256()
        for file in desired.files {
            hasher.update(data: Array(file.utf8) + [0])
            if let bytes = FileManager.default.contents(atPath: file) { hasher.update(data: bytes) }
            hasher.update(data: [0])
        }
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        var commit: String?
        var dirty: Bool?
        if let head = git(["-C", directory, "rev-parse", "HEAD"]) {
            commit = head.trimmingCharacters(in: .whitespacesAndNewlines)
            dirty = git(["-C", directory, "status", "--porcelain", "--", "."]).map { !$0.isEmpty }
        }
        return DesiredFingerprint(digest: digest, gitCommit: commit, gitDirty: dirty)
    }

    /// Runs git with bounded output; nil when git is missing or fails (not a checkout).
    static func git(_ arguments: [String]) -> String? {
        guard let result = try? CommandRunner.run(["git"] + arguments, timeout: 10), result.status == 0 else {
            return nil
        }
        return result.output
    }
}
