import DesiredState

/// The lines above a plan: which desired state (with its commit), which nginx config, which DNS
/// source; with `verbose`, the commands apply would run (programs resolved at load time).
public enum PlanHeader {
    /// Label and value pairs; both paths shown relative to `displayBase` when under it.
    public static func lines(
        _ plan: Plan, desired: DesiredState, desiredDirectory: String, displayBase: String, verbose: Bool
    ) -> [(String, String)] {
        let absolute = desiredDirectory.hasPrefix("/") ? desiredDirectory : displayBase + "/" + desiredDirectory
        var state =
            "\(Paths.display(Paths.normalize(absolute), from: displayBase)) (\(desired.vhosts.count) vhost\(desired.vhosts.count == 1 ? "" : "s")"
        if let commit = plan.desired.gitCommit {
            state += ", git \(commit.prefix(12))\(plan.desired.gitDirty == true ? " with uncommitted changes" : "")"
        }
        state += ")"
        var lines = [
            ("desired", state), ("nginx", Paths.display(plan.nginxConfig, from: displayBase)), ("dns", plan.dnsSource),
        ]
        if verbose {
            lines.append(("test", desired.nginx.test.joined(separator: " ")))
            lines.append(("reload", desired.nginx.reload.joined(separator: " ")))
            if case .zonefile(_, let reload?) = desired.dns.provider {
                lines.append(("zone reload", reload.joined(separator: " ")))
            }
        }
        return lines
    }
}
