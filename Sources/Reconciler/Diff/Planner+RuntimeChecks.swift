import DesiredState
import Foundation
import Nginx

extension Planner {
    /// What the running nginx and this machine say before any vhost is looked at: files nginx
    /// has not loaded, a stopped nginx, listens it cannot bind together.
    func runtimeFindings(listenConflicts: [NginxError]) -> [Finding] {
        let tree = observation.nginx
        var findings: [Finding] = []
        // Files the running nginx has not loaded: what follows is judged on the files.
        if let runtime = observation.nginxRuntime, !runtime.unloadedFiles.isEmpty {
            let iso = ISO8601DateFormatter()
            findings.append(
                Finding(
                    kind: .configNotLoaded, vhost: display(tree.mainConfigPath),
                    message:
                        "nginx (master \(runtime.masterPID)) last loaded its configuration at \(iso.string(from: runtime.loadedAt)); \(runtime.unloadedFiles.count == 1 ? "a file has" : "\(runtime.unloadedFiles.count) files have") changed since, so what this plan reads may not be what nginx serves: check with nginx -t and reload nginx",
                    evidence: runtime.unloadedFiles.map {
                        "\(display($0.path)): modified \(iso.string(from: $0.modified))"
                    }))
        }
        // A stopped nginx serves nothing, whatever its files say.
        if case .notRunning(let reason) = observation.nginxMaster {
            findings.append(
                Finding(
                    kind: .nginxNotRunning, vhost: display(tree.mainConfigPath),
                    message:
                        "nginx is not running this configuration (\(reason)): a stopped nginx serves none of the vhosts"
                ))
        }
        // Listens nginx accepts in `nginx -t` but cannot bind: the model's sockets are not real.
        return findings + listenConflictFindings(tree, conflicts: listenConflicts)
    }

    /// The host's addresses that no interface of this machine has.
    func interfaceFindings() -> [Finding] {
        guard let interfaces = observation.interfaces else { return [] }
        var findings: [Finding] = []
        for family in AddressFamily.allCases {
            for address in desired.host.addresses(family) where !interfaces.addresses.contains(address) {
                findings.append(
                    Finding(
                        kind: .addressNotOnHost, vhost: address, family: family,
                        message:
                            "host.\(family.rawValue) lists \(address), but no interface of this machine has it",
                        evidence: [
                            "addresses on this machine: "
                                + interfaces.addresses.filter { !$0.hasPrefix("fe80:") }.sorted().joined(
                                    separator: ", ")
                        ]))
            }
        }
        return findings
    }
}
