import Foundation

/// The stage a probe has reached, written by its channel handler on the event loop and read by
/// the timeout, which may fire on the same loop or after the channel is gone.
final class ProbeStageBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stage = ProbeStage.connecting

    var value: ProbeStage {
        get { lock.withLock { stage } }
        set { lock.withLock { stage = newValue } }
    }
}
