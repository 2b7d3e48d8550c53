import DNS
import DesiredState
import Nginx

extension Planner {
    /// A wanted family's records: exactly the host's addresses, published once nginx serves
    /// them (serve before advertise), wrong ones replaced.
    func planRecords(_ view: VhostView, _ facts: FamilyView, willServe: Bool, into draft: inout PlanDraft) {
        let family = facts.family
        guard view.dnsManaged else {
            if let viaCNAME = view.viaCNAME, Set(facts.publishedValues) != Set(facts.hostAddresses) {
                draft.notes.append(
                    "\(view.vhost.name) \(family.recordTypeName): published via \(viaCNAME); fix the records at the CNAME target"
                )
            }
            return
        }
        let others = facts.publishedValues.filter { !facts.hostAddresses.contains($0) }
        let extra =
            fleet?.withdrawable(view.vhost, family, candidates: others, published: facts.publishedValues) ?? others
        let missing = facts.hostAddresses.filter { !facts.publishedValues.contains($0) }
        if extra.isEmpty && missing.isEmpty { return }
        var deleting: [String] = []
        var adding: [String] = []
        if !extra.isEmpty {
            draft.findings.append(
                Finding(
                    kind: .wrongAddress, vhost: view.vhost.name, family: family,
                    message:
                        "DNS publishes \(extra.joined(separator: ", ")) for \(view.vhost.name), which is not an address of this host (host.\(family.rawValue): \(facts.hostAddresses.joined(separator: ", ")))",
                    evidence: facts.recordEvidence))
            deleting = extra
        }
        if !missing.isEmpty {
            var message =
                "DNS does not publish \(missing.joined(separator: ", ")) (\(family.recordTypeName)) for \(view.vhost.name)"
            if willServe {
                adding = missing
            } else {
                message += "; it will be published once nginx serves \(view.vhost.name) over \(family.rawValue)"
            }
            draft.findings.append(
                Finding(
                    kind: .missingRecord, vhost: view.vhost.name, family: family, message: message,
                    evidence: facts.recordEvidence.isEmpty
                        ? ["no \(family.recordTypeName) record at \(view.vhost.dnsName)"] : facts.recordEvidence
                ))
        }
        let prerequisite = facts.publishedValues.sorted()
        func record(_ value: String, ttl: UInt32) -> RecordEdit {
            view.recordEdit(value, ttl: ttl, prerequisite: prerequisite)
        }
        for value in deleting {
            let ttl = facts.records.first { $0.data.presentation(as: $0.type) == value }?.ttl ?? desired.dns.ttl
            draft.actions.append(
                .dns(
                    .dnsDelete, phase: .advertise, vhost: view.vhost.name, family: family,
                    record: record(value, ttl: ttl)))
        }
        for value in adding {
            draft.actions.append(
                .dns(
                    .dnsAdd, phase: .advertise, vhost: view.vhost.name, family: family,
                    record: record(value, ttl: desired.dns.ttl)))
        }
    }
}

extension VhostView {
    /// One record of the vhost's set, sent with the set as read (`prerequisite`, sorted).
    func recordEdit(_ value: String, ttl: UInt32, prerequisite: [String]) -> RecordEdit {
        RecordEdit(
            zone: vhost.zone.description, name: vhost.dnsName.description, ttl: ttl, value: value,
            prerequisite: prerequisite)
    }
}
