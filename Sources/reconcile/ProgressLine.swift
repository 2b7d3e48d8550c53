import Foundation
import Synchronization

/// DESIGN §2: a run that takes more than a few seconds says on standard error, when that is a
/// terminal, what it is waiting for (a slow DNS server, a zone read by thousands of queries, a
/// probe timing out). Quick runs print nothing; pipes and the timer's journal get nothing.
final class ProgressLine: Sendable {
    private struct State {
        var step = ""
        var showing = false
        var finished = false
        /// Shows the current step once the delay has passed.
        var timer: Task<Void, Never>?
    }

    private let state = Mutex(State())
    private let enabled: Bool
    private let started = ContinuousClock.now

    /// Shows steps once `delay` has passed, if standard error is a terminal.
    init(delay: Duration = .seconds(2), enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.enabled = enabled
        guard enabled else { return }
        let task = Task.detached { [weak self] in
            try? await Task.sleep(for: delay)
            self?.showFromNowOn()
        }
        state.withLock { $0.timer = task }
    }

    /// The run moved on to `text` ("reading zone example.social. …").
    func step(_ text: String) {
        guard enabled else { return }
        let show = state.withLock { state -> Bool in
            state.step = text
            return state.showing && !state.finished
        }
        if show { write(text) }
    }

    /// The run is over (done or failed): nothing more is printed.
    func finish() {
        state.withLock {
            $0.finished = true
            $0.timer?.cancel()
        }
    }

    private func showFromNowOn() {
        let current = state.withLock { state -> String? in
            guard !state.finished, !state.showing else { return nil }
            state.showing = true
            return state.step
        }
        if let current, !current.isEmpty { write(current) }
    }

    private func write(_ text: String) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        Terminal.printError(String(format: "[%5.1fs] ", seconds) + text + " …")
    }
}
