/// The one bounded fan-out here: `work` on each item, at most `concurrency` at once (at least
/// one), the results in the items' order. Probes, per-name DNS queries and the survey of a
/// zone's authoritative servers all go through it, so none of them opens more sockets at once
/// than it was told.
public enum BoundedTasks {
    public static func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], concurrency: Int, _ work: @escaping @Sendable (Item) async -> Output
    ) async -> [Output] {
        let results = await withTaskGroup(of: (Int, Output).self) { group in
            var out = [Output?](repeating: nil, count: items.count)
            var next = 0
            func launch() {
                let index = next
                let item = items[index]
                next += 1
                group.addTask { (index, await work(item)) }
            }
            while next < min(max(1, concurrency), items.count) { launch() }
            for await (index, result) in group {
                out[index] = result
                if next < items.count { launch() }
            }
            return out
        }
        // Every task ran to its end (a task group waits for all), so each slot is filled.
        return results.compactMap { $0 }
    }
}
