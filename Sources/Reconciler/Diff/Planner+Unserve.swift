import DNS
import DesiredState
import Nginx

extension Planner {
    /// A family the vhost does not want: DNS must not publish it (withdraw before unserve).
    func planWithdrawal(_ view: VhostView, _ facts: FamilyView, context: PlanContext, into draft: inout PlanDraft) {
        let family = facts.family
        let withdrawn =
            fleet?.withdrawable(view.vhost, family, candidates: facts.publishedValues, published: facts.publishedValues)
            ?? facts.publishedValues
        if view.dnsManaged && !facts.records.isEmpty {
            let unserved = zip(view.vhost.ports, facts.status).filter { $0.1 != .served }.map(\.0)
            if unserved.isEmpty {
                draft.findings.append(
                    Finding(
                        kind: .undesiredRecord, vhost: view.vhost.name, family: family,
                        message:
                            "DNS publishes \(family.recordTypeName) for \(view.vhost.name), but the desired state does not list \(family.rawValue)",
                        evidence: facts.recordEvidence))
            } else {
                for port in unserved {
                    draft.findings.append(
                        Finding(
                            kind: .advertisedNotServed, vhost: view.vhost.name, family: family, port: port,
                            message:
                                "DNS publishes \(family.recordTypeName) for \(view.vhost.name), but nginx does not serve it over \(family.rawValue) on port \(port) (the desired state does not list \(family.rawValue): the records will be withdrawn)",
                            evidence: listenEvidence(
                                view.own, family: facts.family.other, port: port, context: context)
                                + facts.recordEvidence))
                }
            }
            let prerequisite = facts.publishedValues.sorted()
            for record in facts.records {
                let value = record.data.presentation(as: record.type)
                guard withdrawn.contains(value) else { continue }
                draft.actions.append(
                    .dns(
                        .dnsDelete, phase: .withdraw, vhost: view.vhost.name, family: family,
                        record: view.recordEdit(value, ttl: record.ttl, prerequisite: prerequisite)))
            }
        } else if !view.dnsManaged, let viaCNAME = view.viaCNAME, !facts.records.isEmpty {
            draft.notes.append(
                "\(view.vhost.name) \(family.recordTypeName): published via \(viaCNAME) although \(family.rawValue) is not wanted; fix the CNAME target"
            )
        }
    }

    /// A family the vhost does not want: its own block stops listening on it, unless the block
    /// also serves names that want it.
    func planListenRemovals(_ view: VhostView, _ facts: FamilyView, context: PlanContext, into draft: inout PlanDraft) {
        let family = facts.family
        for blockIndex in view.preferred {
            let block = context.tree.serverBlocks[blockIndex]
            for listen in block.listens
            where listen.family == facts.family && view.vhost.ports.contains(UInt16(clamping: listen.port ?? 0)) {
                guard let source = listen.source else { continue }
                var message =
                    "\(view.vhost.name)'s block listens on \(family.rawValue) port \(listen.port ?? 0), which the desired state does not list"
                let othersWant = blockNames(block).filter { name in
                    !context.isVhost(name) || context.vhost(name, wants: family)
                }
                if !othersWant.isEmpty {
                    message +=
                        "; left in place because the block also serves \(othersWant.sorted().joined(separator: ", "))"
                } else {
                    do {
                        let key = PlanDraft.ListenKey.remove(block: blockIndex, range: source.byteRange)
                        if draft.handles[key] == nil {
                            let handle = try draft.batch.remove(listen, fromBlock: blockIndex)
                            draft.handles[key] = handle
                            draft.listenRequests.append(
                                .init(
                                    handle: handle, kind: .nginxRemoveListen, vhost: view.vhost.name, family: family,
                                    port: UInt16(clamping: listen.port ?? 0)))
                        }
                    } catch {
                        message += "; not removed automatically: \(error)"
                    }
                }
                draft.findings.append(
                    Finding(
                        kind: .undesiredListen, vhost: view.vhost.name, family: family,
                        port: UInt16(clamping: listen.port ?? 0), message: message,
                        evidence: [context.evidence(source)]))
            }
        }
    }
}
