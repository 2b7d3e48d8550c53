import Dispatch

/// Two independent pieces of pure work at once, on the machine's second core: the planner's
/// steps that read only the observation run beside the ones that build the draft.
enum Concurrently {
    /// Runs `other` on another thread while `body` runs on this one; returns once both are done.
    /// `other` and what it captured are released before this returns, so an array it read is
    /// again the only reference to its buffer and can be changed in place.
    static func run<T: Sendable>(_ other: @escaping @Sendable () -> T, while body: () -> Void) -> T {
        let handoff = Handoff(other)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global(qos: .userInitiated).async {
            handoff.run()
            done.signal()
        }
        body()
        done.wait()
        guard let value = handoff.value else { preconditionFailure("the other thread signalled without a value") }
        return value
    }

    /// Works through `0..<count` in chunks of `chunk`, two at a time: this thread does the
    /// first of each pair with `first` while another makes the second's result with `second`,
    /// which `then` takes once both are done. Results arrive in order, and only a pair of
    /// chunks is in hand at a time, never the whole.
    static func inPairs<T: Sendable>(
        count: Int, chunk: Int, first: (Range<Int>) -> Void, second: @escaping @Sendable (Range<Int>) -> T,
        then: (T) -> Void
    ) {
        var start = 0
        while start < count {
            let middle = min(start + chunk, count)
            let end = min(middle + chunk, count)
            let other = run({ second(middle..<end) }, while: { first(start..<middle) })
            then(other)
            start = end
        }
    }

    /// The other thread's work and, once it is done, its value: written by that thread before
    /// it signals, read by this one after the wait.
    private final class Handoff<T>: @unchecked Sendable {
        private var work: (@Sendable () -> T)?
        var value: T?

        init(_ work: @escaping @Sendable () -> T) { self.work = work }

        /// Runs the work once and lets it go.
        func run() {
            guard let body = work else { return }
            work = nil
            value = body()
        }
    }
}
