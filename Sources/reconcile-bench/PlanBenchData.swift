import Foundation
import TestSupport

/// The generated world of `reconcile-bench plan` (DESIGN §12): N vhosts in the desired state,
/// an nginx tree of N server blocks in files of 100, and a zone of ~2.8N records served by a
/// real named on loopback.
///
/// Mostly in sync: every tenth vhost is IPv4 only, one dual-stack block in a hundred lacks
/// its IPv6 listen and one AAAA in a thousand is missing. With `allDrifting`, no block has an
/// IPv6 listen, so every dual-stack vhost has a finding and an action.
final class PlanBenchData {
    static let origin = "example.social"

    let vhosts: Int
    let directory: TemporaryDirectory
    let named: NamedServer
    let records: Int
    let missingListens: Int
    /// The zone as desired, for octoDNS (every record of the served zone plus the missing AAAAs).
    let octoDNSZone: String

    var desiredDirectory: String { directory.path + "/desired" }

    init(vhosts: Int, allDrifting: Bool) throws {
        self.vhosts = vhosts
        let dir = try TemporaryDirectory(prefix: "reconcile-bench-plan")
        directory = dir
        var yaml = "vhosts:\n"
        yaml.reserveCapacity(vhosts * 70)
        for i in 0..<vhosts {
            yaml += "  v\(i).example.social: {families: \(i % 10 == 9 ? "[ipv4]" : "[ipv4, ipv6]"), ports: [443]}\n"
        }
        try dir.write("desired/vhosts.yaml", yaml)
        try dir.write("nginx/nginx.conf", "events {}\nhttp {\n    include sites/*.conf;\n}\n")
        var missing = 0
        for file in stride(from: 0, to: vhosts, by: 100) {
            var text = ""
            for i in file..<min(file + 100, vhosts) {
                let wantsIPv6 = i % 10 != 9
                let dual = wantsIPv6 && !allDrifting && i % 100 != 42
                if wantsIPv6 && !dual { missing += 1 }
                text += """
                    server {
                        listen 443 ssl;
                    \(dual ? "    listen [::]:443 ssl;\n" : "")    server_name v\(i).example.social www.v\(i).example.social;
                        ssl_certificate /etc/ssl/v\(i).pem;
                        ssl_certificate_key /etc/ssl/v\(i).key;
                        location / { proxy_pass http://127.0.0.1:8080; }
                    }

                    """
            }
            try dir.write("nginx/sites/\(String(format: "%05d", file / 100)).conf", text)
        }
        missingListens = missing
        // Zone: A and AAAA as desired, a CNAME for www, TXT on some; a few AAAA missing.
        var zone =
            "$ORIGIN example.social.\n$TTL 300\n@ IN SOA ns1 hostmaster 2026112501 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 127.0.0.1\n"
        zone.reserveCapacity(vhosts * 110)
        var octo = "---\n'':\n  type: NS\n  value: ns1.example.social.\nns1:\n  type: A\n  value: 127.0.0.1\n"
        octo.reserveCapacity(vhosts * 160)
        var count = 3
        for i in 0..<vhosts {
            zone += "v\(i) IN A 203.0.113.10\n"
            octo += "v\(i):\n- type: A\n  value: 203.0.113.10\n"
            count += 1
            if i % 10 != 9 {
                octo += "- type: AAAA\n  value: 2001:db8::10\n"
                if i % 1000 != 7 {
                    zone += "v\(i) IN AAAA 2001:db8::10\n"
                    count += 1
                }
            }
            if i % 5 == 0 {
                zone += "v\(i) IN TXT \"owner=team-\(i % 17)\"\n"
                octo += "- type: TXT\n  value: owner=team-\(i % 17)\n"
                count += 1
            }
            zone += "www.v\(i) IN CNAME v\(i)\n"
            octo += "www.v\(i):\n  type: CNAME\n  value: v\(i).example.social.\n"
            count += 1
        }
        records = count
        octoDNSZone = octo
        named = try NamedServer(
            zones: [.init(name: Self.origin, contents: zone)], keyAlgorithms: [], startupTimeout: 300)
        try dir.write(
            "desired/reconcile.yaml",
            """
            host: {ipv4: [203.0.113.10], ipv6: ["2001:db8::10"]}
            nginx: {config: ../nginx/nginx.conf}
            dns: {provider: rfc2136, server: "127.0.0.1:\(named.port)", zones: [example.social]}

            """)
    }

    func stop() { named.stop() }
}
