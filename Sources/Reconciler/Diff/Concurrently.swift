import Dispatch
import Foundation

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

    /// `count` pieces of pure work shared by two threads, each handed to `consume` in order on
    /// this thread: this one takes pieces from the first up, consuming each as it goes;
    /// another first runs `other`, then takes pieces from the last down, until they meet
    /// (this one then waits for the pieces the other still works on). However long `other`
    /// runs, neither core waits while pieces are left. Returns `other`'s value.
    static func fromBothEnds<Piece: Sendable, Other: Sendable>(
        count: Int, after other: @escaping @Sendable () -> Other, piece: @escaping @Sendable (Int) -> Piece,
        consume: (Piece) -> Void
    ) -> Other {
        let pieces = Pieces<Piece>(count: count)
        return run(
            {
                let value = other()
                while let index = pieces.takeLast() { pieces.store(piece(index), at: index) }
                return value
            },
            while: {
                for index in 0..<count {
                    consume(pieces.claim(index) ? piece(index) : pieces.wait(for: index))
                }
            })
    }

    /// Lets go of `value` on another thread: freeing a large structure object by object is
    /// work nobody needs to wait for.
    static func release<T: Sendable>(_ value: consuming T) {
        let held = Held(consume value)
        DispatchQueue.global(qos: .utility).async { held.value = nil }
    }

    /// A value another thread lets go of.
    private final class Held<T>: @unchecked Sendable {
        var value: T?
        init(_ value: consuming T) { self.value = consume value }
    }

    /// The pieces not yet taken, from `front` to `back`, and those the other thread made.
    private final class Pieces<Piece>: @unchecked Sendable {
        private let condition = NSCondition()
        private var front = 0
        private var back: Int
        private var results: [Piece?]

        init(count: Int) {
            back = count
            results = Array(repeating: nil, count: count)
        }

        /// Takes piece `index` for this thread, when the other has not taken it.
        func claim(_ index: Int) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            guard index == front, front < back else { return false }
            front += 1
            return true
        }

        /// The last piece not taken, for the other thread.
        func takeLast() -> Int? {
            condition.lock()
            defer { condition.unlock() }
            guard front < back else { return nil }
            back -= 1
            return back
        }

        func store(_ result: Piece, at index: Int) {
            condition.lock()
            results[index] = result
            condition.broadcast()
            condition.unlock()
        }

        /// Piece `index` once the other thread has made it (and let go of here).
        func wait(for index: Int) -> Piece {
            condition.lock()
            defer { condition.unlock() }
            while results[index] == nil { condition.wait() }
            let result = results[index]
            results[index] = nil
            guard let result else { preconditionFailure("piece \(index) was stored as nothing") }
            return result
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
