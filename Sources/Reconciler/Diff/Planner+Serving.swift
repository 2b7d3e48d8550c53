import DNS
import DesiredState
import Nginx

extension Planner {
    /// A wanted family: each port the vhost's own block does not serve on it is a finding,
    /// with a listen to add when nginx can take one. True when every port will be served
    /// once the plan is applied (only then may the records be published).
    func planServing(_ view: VhostView, _ facts: FamilyView, context: PlanContext, into draft: inout PlanDraft) -> Bool
    {
        let family = facts.family
        var willServe = !view.own.isEmpty
        for (port, portStatus) in zip(view.vhost.ports, facts.status) {
            switch portStatus {
            case .served:
                continue
            case .answeredByOther(let other, let address):
                willServe = false
                var message =
                    "\(view.vhost.name)'s own block listens on \(family.rawValue) port \(port), but nginx gives the requests to another block"
                var capture: [String] = []
                if let listen = capturingListen(other, family: facts.family, address: address, port: port),
                    let source = listen.source
                {
                    message +=
                        ": its listen \(listen.socketDescription) is matched first for connections to \(family == .ipv6 ? "[\(address)]" : address):\(port) (nginx picks the address:port before the name)"
                    capture = [
                        "captured by: " + context.evidence(source)
                    ]
                }
                draft.findings.append(
                    Finding(
                        kind: .answeredByOtherBlock, vhost: view.vhost.name, family: family, port: port,
                        message: message,
                        evidence: listenEvidence(view.own, family: facts.family, port: port, context: context)
                            + ["answered by: " + blockEvidence(other, context: context)] + capture
                            + facts.recordEvidence,
                        answeredBy: blockReference(other, tree: context.tree)))
            case .undecidable(let reason):
                willServe = false
                draft.notes.append(
                    "\(view.vhost.name) \(family.rawValue) port \(port): cannot tell which block answers: \(reason)"
                )
            case .notServed(let answeredBy):
                let advertised = !facts.records.isEmpty
                let kind: FindingKind = advertised ? .advertisedNotServed : .missingListen
                var evidence = listenEvidence(view.own, family: facts.family.other, port: port, context: context)
                if let answeredBy {
                    evidence.append("answered instead by: " + blockEvidence(answeredBy, context: context))
                }
                let answeredByReference = answeredBy.map { blockReference($0, tree: context.tree) }
                evidence += facts.recordEvidence
                var message =
                    advertised
                    ? "DNS publishes \(family.recordTypeName) for \(view.vhost.name), but nginx does not serve it over \(family.rawValue) on port \(port)"
                    : "nginx does not serve \(view.vhost.name) over \(family.rawValue) on port \(port)"
                if let block = editTarget(view.own, family: facts.family, port: port) {
                    let key = PlanDraft.ListenKey.add(block: block, family: family, port: port)
                    if draft.handles[key] == nil {
                        do {
                            let handle = try draft.batch.add(
                                NginxListenRequest(block: block, family: facts.family, port: Int(port)),
                                hostAddresses: facts.hostAddresses)
                            draft.handles[key] = handle
                            draft.listenRequests.append(
                                .init(
                                    handle: handle, kind: .nginxAddListen, vhost: view.vhost.name, family: family,
                                    port: port))
                        } catch {
                            willServe = false
                            message += "; not fixed automatically: \(error)"
                        }
                    }
                } else {
                    willServe = false
                }
                draft.findings.append(
                    Finding(
                        kind: kind, vhost: view.vhost.name, family: family, port: port, message: message,
                        evidence: evidence, answeredBy: answeredByReference))
            }
        }
        return willServe
    }
}
