import Foundation
import NIOCore

/// Closes a channel when nothing arrived for `timeout`, and remembers that it did so, so a
/// read loop that ends can tell a timeout from the peer closing.
final class IdleTimer: @unchecked Sendable {
    private let channel: Channel
    private let timeout: TimeAmount
    // Guards `scheduled` and `didFire`, touched from the event loop and the reading task.
    private let lock = NSLock()
    private var scheduled: Scheduled<Void>?
    private var didFire = false

    init(channel: Channel, timeout: Duration) {
        self.channel = channel
        self.timeout = TimeAmount(timeout)
    }

    var fired: Bool { lock.withLock { didFire } }

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
