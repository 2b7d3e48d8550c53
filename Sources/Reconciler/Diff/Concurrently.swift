import Dispatch

/// Two independent pieces of pure work at once, on the machine's second core: the planner's
/// steps that read only the observation run beside the ones that build the draft.
enum Concurrently {
    /// Runs `other` on another thread while `body` runs on this one; returns once both are done.
    static func run<T: Sendable>(_ other: @escaping @Sendable () -> T, while body: () -> Void) -> T {
        let result = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global(qos: .userInitiated).async {
            result.value = other()
            done.signal()
        }
        body()
        done.wait()
        guard let value = result.value else { preconditionFailure("the other thread signalled without a value") }
        return value
    }

    /// Written by the other thread before it signals, read by this one after the wait.
    private final class Outcome<T>: @unchecked Sendable {
        var value: T?
    }
}
