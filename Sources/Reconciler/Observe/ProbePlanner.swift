import DNS
import DesiredState
import Nginx
import Probe

/// Decides what `reconcile probe` and `plan --probe` connect to (DESIGN §8): for each vhost,
/// each desired family and each port, every address DNS publishes for the name. Pure: it
/// reads only the desired state and what was already observed.
///
/// When DNS publishes no address of a desired family, the host's own addresses of that family
/// are probed instead, so "IPv6 down" shows before the AAAA record exists (and before
/// `apply` publishes it); a note says so. Wildcard vhosts have no name a client would connect
/// to and are skipped with a note.
public struct ProbePlanner: Sendable {
    /// The targets to probe, in desired-state order (vhost, family, port, address), and what
    /// was decided along the way in words.
    public struct Schedule: Sendable {
        /// What to connect to.
        public var targets: [ProbeTarget]
        /// Vhosts skipped and families probed on the host's addresses, for output.
        public var notes: [String]
    }

    /// Ports on which TLS is assumed even when nginx's block does not say `ssl` there.
    public static let tlsPorts: Set<UInt16> = [443, 8443]

    /// The vhosts, their families and ports, and the host's addresses.
    public let desired: DesiredState
    /// The records published in the managed zones.
    public let dns: DNSObservation
    /// nginx's configuration, consulted for `ssl` on each vhost's own listens.
    public let nginx: NginxConfigTree

    /// A planner over one run's observations.
    public init(desired: DesiredState, dns: DNSObservation, nginx: NginxConfigTree) {
        self.desired = desired
        self.dns = dns
        self.nginx = nginx
    }

    /// Every target, one per vhost, desired family, port and address.
    public func schedule() -> Schedule {
        var targets: [ProbeTarget] = []
        var notes: [String] = []
        let claims = NginxNameClaims(tree: nginx)
        let selector = NginxServerSelector(tree: nginx)
        for vhost in desired.vhosts {
            guard !vhost.isWildcard else {
                notes.append("\(vhost.name): not probed (a wildcard has no single name to connect to)")
                continue
            }
            let own = Planner.flatten(claims.claimants(of: vhost.name)).map { nginx.serverBlocks[$0] }
            let published = publishedAddresses(of: vhost)
            for family in vhost.families {
                var addresses = published.map { $0[family] ?? [] } ?? []
                if addresses.isEmpty {
                    addresses = desired.host.addresses(family)
                    let why =
                        published == nil
                        ? "its addresses are not in the managed zones"
                        : "DNS publishes no \(family.recordTypeName) record for it"
                    notes.append(
                        addresses.isEmpty
                            ? "\(vhost.name) \(family.rawValue): not probed: \(why) and host.\(family.rawValue) is empty"
                            : "\(vhost.name) \(family.rawValue): \(why); probing the host's addresses "
                                + addresses.joined(separator: ", "))
                }
                let documentation = addresses.filter(Self.isDocumentationAddress)
                if !documentation.isEmpty {
                    // Never routed on the Internet: connecting would only reach whatever
                    // intercepts such traffic. The bundled example uses them.
                    notes.append(
                        "\(vhost.name) \(family.rawValue): not probing \(documentation.joined(separator: ", ")): "
                            + "documentation addresses (RFC 5737 / RFC 3849) are never a real host")
                    addresses.removeAll(where: Self.isDocumentationAddress)
                }
                for port in vhost.ports {
                    for address in addresses {
                        // The socket decides, as in nginx: any block's `ssl` listen on that
                        // address:port, or `ssl on;` in its default block. Only where nginx's
                        // configuration does not say (an address not local to it) is it guessed.
                        let tls =
                            selector.tls(family: family, address: address, port: Int(port))?.tls
                            ?? Self.speaksTLS(port: port, ownBlocks: own)
                        targets.append(
                            ProbeTarget(vhost: vhost.name, family: family, address: address, port: port, tls: tls))
                    }
                }
            }
        }
        return Schedule(targets: targets, notes: notes)
    }

    /// Whether `address` lies in a range reserved for documentation: 192.0.2.0/24,
    /// 198.51.100.0/24, 203.0.113.0/24 (RFC 5737) or 2001:db8::/32 (RFC 3849).
    public static func isDocumentationAddress(_ address: String) -> Bool {
        if let v4 = IPv4Bytes(address) {
            let prefix = Array(v4.bytes.prefix(3))
            return prefix == [192, 0, 2] || prefix == [198, 51, 100] || prefix == [203, 0, 113]
        }
        if let v6 = IPv6Bytes(address) { return Array(v6.bytes.prefix(4)) == [0x20, 0x01, 0x0d, 0xb8] }
        return false
    }

    /// Where nginx's sockets do not decide (nothing listens on the address yet): TLS on the
    /// conventional HTTPS ports, or where the vhost's own block says `ssl` on a listen of the
    /// port (on either family: the missing family's listen is exactly what may not exist yet)
    /// or has `ssl on;`.
    static func speaksTLS(port: UInt16, ownBlocks: [NginxServerBlock]) -> Bool {
        if tlsPorts.contains(port) { return true }
        return ownBlocks.contains { block in
            block.listens.contains { $0.port == Int(port) && ($0.ssl || block.legacySSL != nil) }
        }
    }

    /// The A and AAAA values published for the vhost, following CNAMEs while they stay in the
    /// managed zones (as the planner does); nil when the name is outside them or a CNAME leaves
    /// them, where the records cannot be seen.
    func publishedAddresses(of vhost: Vhost) -> [AddressFamily: [String]]? {
        guard case .records(let v4, let v6, _) = dns.resolve(vhost.dnsName) else { return nil }
        return [.ipv4: Self.values(v4), .ipv6: Self.values(v6)]
    }

    /// Record values in presentation form, each once, in the order published.
    static func values(_ records: [ResourceRecord]) -> [String] {
        var seen: Set<String> = []
        return records.map { $0.data.presentation(as: $0.type) }.filter { seen.insert($0).inserted }
    }
}
