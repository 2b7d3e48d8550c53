import Foundation
import Nginx

extension Planner {
    /// The listen actions from the batch's `outcome`, made once it has placed every addition
    /// and removal: each carries its final edit (a range of its file as read, and the line it
    /// lands on). A removal the batch withholds gets no action, and a note says why, once per
    /// file.
    func listenActions(_ outcome: NginxEditBatch.Outcome, into draft: inout PlanDraft) {
        var noted: Set<String> = []
        for request in draft.listenRequests {
            guard let edit = outcome.edits[request.handle] else {
                if let withheld = outcome.withheld[request.handle] {
                    let note = "\(display(withheld.edit.path)): \(withheld.reason)"
                    if noted.insert(note).inserted { draft.notes.append(note) }
                }
                continue
            }
            let phase: Action.Phase = request.kind == .nginxAddListen ? .serve : .unserve
            draft.actions.append(
                .nginx(
                    request.kind, phase: phase, vhost: request.vhost, family: request.family, port: request.port,
                    edit: edit))
        }
    }

    /// A listen whose record was withdrawn by an earlier apply waits out the record's TTL.
    func markWaitingRemovals(_ actions: inout [Action]) {
        let iso = ISO8601DateFormatter()
        for index in actions.indices where actions[index].kind == .nginxRemoveListen {
            let action = actions[index]
            let waits = observation.withdrawals.filter { $0.vhost == action.vhost && $0.family == action.family }
            if let latest = waits.map(\.safeAfter).max(), latest > now {
                actions[index].notBefore = iso.string(from: latest)
            }
        }
    }
}
