import DesiredState
import Foundation

extension Planner {
    /// The probes' failures (`unreachable`) and the vhosts whose families answered differently.
    func probeFindings() -> [Finding] {
        var findings: [Finding] = []
        for probe in observation.probes ?? [] where probe.failure != nil {
            findings.append(
                Finding(
                    kind: .unreachable, vhost: probe.vhost, family: AddressFamily(rawValue: probe.family),
                    port: probe.port,
                    message:
                        "\(probe.vhost) is unreachable over \(probe.family) on port \(probe.port): \(probe.failure ?? "")",
                    // The reason is in the message once; the evidence is what was connected to.
                    evidence: [
                        "probed \(probe.address.contains(":") ? "[\(probe.address)]" : probe.address):\(probe.port)"
                    ]))
        }
        return findings + familiesDifferFindings(observation.probes ?? [])
    }

    /// One `families-differ` per vhost and port where the first answering IPv4 and IPv6
    /// addresses got different answers; both sides as evidence.
    func familiesDifferFindings(_ probes: [ProbeOutcome]) -> [Finding] {
        var order: [String] = []
        var sides: [String: [String: ProbeOutcome]] = [:]
        for probe in probes where probe.response != nil {
            let key = "\(probe.vhost) \(probe.port)"
            if sides[key] == nil { order.append(key) }
            if sides[key]?[probe.family] == nil { sides[key, default: [:]][probe.family] = probe }
        }
        return order.compactMap { key in
            guard let v4 = sides[key]?["ipv4"], let v6 = sides[key]?["ipv6"], let a = v4.response, let b = v6.response
            else { return nil }
            var differences: [String] = []
            if a.status != b.status { differences.append("status") }
            if a.location != b.location { differences.append("redirect target") }
            if a.certificateSubject != b.certificateSubject || a.certificateIssuer != b.certificateIssuer {
                differences.append("certificate")
            }
            if a.bodyDigest != b.bodyDigest { differences.append("body") }
            guard !differences.isEmpty else { return nil }
            return Finding(
                kind: .familiesDiffer, vhost: v4.vhost, port: v4.port,
                message:
                    "ipv4 and ipv6 clients get different answers from \(v4.vhost) on port \(v4.port) (\(differences.joined(separator: ", "))): one family reaches another block or backend",
                evidence: [Self.describe(v4), Self.describe(v6)])
        }
    }

    /// `ipv6 [::1]: HTTP 301 to https://…, certificate CN=a (issuer CN=a), body sha256 3f2a…(12 bytes)`.
    static func describe(_ probe: ProbeOutcome) -> String {
        guard let response = probe.response else { return "\(probe.family) \(probe.address): no response" }
        let address = probe.address.contains(":") ? "[\(probe.address)]" : probe.address
        var text = "\(probe.family) \(address): HTTP \(response.status)"
        if let location = response.location { text += " to \(location)" }
        if let subject = response.certificateSubject {
            text += ", certificate \(subject) (issuer \(response.certificateIssuer ?? "unknown"))"
        }
        return text + ", body sha256 \(response.bodyDigest.prefix(16)) (\(response.bodyBytes) bytes)"
    }
}
