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
    /// apply's state directory, read for reloads an interrupted apply still owes.
    public var stateDirectory: StateDirectory?
    /// This process holds the state directory's lock (apply): any marker there is from an
    /// apply that is gone, not one at work.
    public var holdsStateLock = false
    /// Told what is being read next (for a progress line on a slow run).
    public var progress: @Sendable (String) -> Void = { _ in }

    public init(desired: DesiredState, dns: any DNSProvider) {
        self.desired = desired
        self.dns = dns
    }

    public func observe() async throws(ReconcileError) -> Observation {
        let tree: NginxConfigTree
        progress("reading nginx's configuration from \(desired.nginx.config)")
        do {
            let settings = desired.nginx.limits
            let limits = NginxLimits(
                maxDepth: settings.depth ?? NginxLimits.defaultMaxDepth,
                maxFileBytes: settings.fileBytes ?? NginxLimits.defaultMaxFileBytes,
                maxTreeBytes: settings.treeBytes ?? NginxLimits.defaultMaxTreeBytes)
            tree = try NginxConfigTree.load(mainConfig: desired.nginx.config, reader: DiskNginxFileReader(), limits: limits)
        } catch {
            throw .nginx(error)
        }
        let zones = desired.dns.zones
        let names = desired.vhosts.map(\.dnsName)
        progress(
            "reading zone\(zones.count == 1 ? "" : "s") \(zones.map(\.description).joined(separator: ", ")) (\(dns.summary))")
        let records = try await dns.observe(zones: zones, names: names)
        for zone in zones where records.zones[zone] == nil {
            throw .other("zone \(zone) was not read; refusing to plan on records that were not seen")
        }
        var observation = Observation(
            nginx: tree, dns: records, interfaces: checkInterfaces ? HostInterfaces.current() : nil,
            dnsSource: dns.summary)
        if let stateDirectory {
            observation.nginxRuntime = NginxRuntime.observe(tree)
        observation.pendingReloads = stateDirectory.pendingReloadDescriptions(
                applyRunning: !holdsStateLock && stateDirectory.isLockedByAnotherProcess())
        }
        return observation
    }
}

/// Identifies the desired state: a digest of its files, and its git commit when it is a checkout.
public enum Fingerprints {
    public static func desiredState(_ desired: DesiredState, directory: String) -> DesiredFingerprint {
        let (commit, dirty) = gitCommit(directory: directory)
        return DesiredFingerprint(digest: desired.digest, gitCommit: commit, gitDirty: dirty)
    }

    /// `git rev-parse HEAD` of the checkout at `directory` and whether it has uncommitted
    /// changes there; nils when it is not a checkout.
    public static func gitCommit(directory: String) -> (commit: String?, dirty: Bool?) {
        guard let head = git(["-C", directory, "rev-parse", "HEAD"]) else { return (nil, nil) }
        let dirty = git(["-C", directory, "status", "--porcelain", "--", "."]).map { !$0.isEmpty }
        return (head.trimmingCharacters(in: .whitespacesAndNewlines), dirty)
    }

    /// Runs git with bounded output; nil when git is missing or fails (not a checkout).
    static func git(_ arguments: [String]) -> String? {
        guard let result = try? CommandRunner.run(["git"] + arguments, timeout: 10), result.status == 0 else {
            return nil
        }
        return result.output
    }
}
