import Foundation
import Nginx

extension Planner {
    /// The nginx files the actions change: the batch's additions rendered one edit per file
    /// (which gives each addition's action its file, line and text), and the removals on top.
    func nginxFileChanges(_ draft: inout PlanDraft) -> [NginxFileChange] {
        let (serveEdits, placements) = draft.batch.editsAndPlacements()
        for (handle, placement) in placements {
            guard let index = draft.actionOfHandle[handle] else { continue }
            draft.actions[index].file = placement.path
            draft.actions[index].line = placement.line
            draft.actions[index].text = placement.directive
        }
        let serveByFile = Dictionary(serveEdits.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        // Removals combine per file; on a file that also gets additions they land on top of them.
        var fileChanges: [NginxFileChange] = []
        let removalsByFile = Dictionary(grouping: draft.removals, by: \.path)
        for path in Set(serveByFile.keys).union(removalsByFile.keys).sorted() {
            let serve = serveByFile[path]
            let removals = removalsByFile[path] ?? []
            guard let original = serve?.originalBytes ?? removals.first?.originalBytes else { continue }
            var afterUnserve: [UInt8]?
            if !removals.isEmpty {
                afterUnserve = Self.unserved(original, removals: removals, afterServe: serve?.newBytes)
                if afterUnserve == nil {
                    draft.notes.append(
                        "\(display(path)): additions and removals overlap; apply, then run plan again for the rest")
                    draft.actions.removeAll { $0.file == path && $0.kind == .nginxRemoveListen }
                }
            }
            fileChanges.append(
                NginxFileChange(path: path, original: original, afterServe: serve?.newBytes, afterUnserve: afterUnserve)
            )
        }
        return fileChanges
    }

    /// The file after its removals: on the original, or on top of its additions; nil when the
    /// two overlap.
    static func unserved(_ original: [UInt8], removals: [FileEdit], afterServe: [UInt8]?) -> [UInt8]? {
        let splices = removals.map { Splice(from: $0.originalBytes, to: $0.newBytes) }
        let onOriginal = Splice.apply(splices, to: original)
        guard let afterServe else { return onOriginal }
        guard let onOriginal else { return nil }
        // Both kinds in one file: the removals are byte ranges of the original; replay them
        // on the added-to text by diffing against it.
        return Splice.apply(
            [Splice(from: original, to: onOriginal)] + [Splice(from: original, to: afterServe)], to: original)
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
