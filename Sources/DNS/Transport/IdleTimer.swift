import Foundation
import NIOCore

/// Closes a channel when nothing arrived for `timeout`, or when an overall deadline passes
/// however busy the channel is, and remembers which, so a read loop that ends can tell a
/// timeout from the peer closing.
final class IdleTimer: @unchecked Sendable {
    private let channel: Channel
    private let timeout: TimeAmount
    // Guards the scheduled tasks and what fired, touched from the event loop and the reading task.
    private let lock = NSLock()
    private var scheduled: Scheduled<Void>?
    private var deadlineTask: Scheduled<Void>?
    private var didFire = false
    private var deadlineDidFire = false

    init(channel: Channel, timeout: Duration) {
        self.channel = channel
        self.timeout = TimeAmount(timeout)
    }

    var fired: Bool { lock.withLock { didFire || deadlineDidFire } }
    /// Whether it was the overall deadline that closed the channel.
    var deadlineFired: Bool { lock.withLock { deadlineDidFire } }

    /// Closes the channel `after` from now, whatever arrives meanwhile (never re-armed).
    func armDeadline(after: Duration) {
        let task = channel.eventLoop.scheduleTask(in: TimeAmount(after)) { [self] in
            lock.withLock { deadlineDidFire = true }
            channel.close(promise: nil)
        }
        lock.withLock {
            deadlineTask?.cancel()
            deadlineTask = task
        }
    }

    /// (Re)starts the countdown.
    func arm() {
        let task = channel.eventLoop.scheduleTask(in: timeout) { [self] in
            lock.withLock { didFire = true }
            channel.close(promise: nil)
        }
        lock.withLock {
            scheduled?.cancel()
            scheduled = task
        }
    }

    func disarm() {
        lock.withLock {
            scheduled?.cancel()
            scheduled = nil
            deadlineTask?.cancel()
            deadlineTask = nil
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        // Saturates instead of trapping on absurdly long timeouts.
        let c = duration.components
        let (whole, overflow) = c.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = .nanoseconds(overflow ? .max : whole.addingReportingOverflow(c.attoseconds / 1_000_000_000).partialValue)
    }
}
