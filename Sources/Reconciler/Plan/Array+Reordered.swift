extension Array {
    /// The elements rearranged so that position `i` holds what was at `order[i]`; `order`
    /// must list every index once. Done in place by following each cycle of the permutation
    /// with swaps, so no element is copied: mapping a sorted index list through the array
    /// instead retained and released every reference a finding or action holds, twice.
    consuming func reordered(by order: [Int]) -> [Element] {
        precondition(order.count == count, "an order lists every element once")
        var placed = [Bool](repeating: false, count: count)
        // The buffer's swap moves the two elements; the array's copies and releases them.
        withUnsafeMutableBufferPointer { elements in
            for start in elements.indices where !placed[start] {
                var position = start
                while order[position] != start {
                    elements.swapAt(position, order[position])
                    placed[position] = true
                    position = order[position]
                }
                placed[position] = true
            }
        }
        return self
    }
}
