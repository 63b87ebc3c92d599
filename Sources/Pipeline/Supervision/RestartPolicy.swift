/// When a supervised worker that crashed is started again: exponential backoff over
/// consecutive crashes, forgotten once a run lasted long enough to count as healthy,
/// and a limit after which the launcher stops trying, so a worker that dies at start
/// (a broken install, a bad argument) is not restarted in a tight loop forever.
/// Pure: the launcher feeds it exits and asks it for delays.
public struct RestartPolicy: Sendable, Equatable {
    /// Delay before the first restart after a crash.
    public var initialDelay: Double = 1
    /// The backoff doubles per consecutive crash up to this.
    public var maximumDelay: Double = 60
    /// A run at least this long resets the crash count: the crash was not a loop.
    public var healthyAfter: Double = 60
    /// Consecutive crashes after which the slot is given up.
    public var maximumConsecutiveCrashes: Int = 8

    public init() {}

    /// What to do after a worker exits.
    public enum Decision: Sendable, Equatable {
        /// Exited 0 (drained, or shut down by a signal): nothing to restart.
        case finished
        /// Start it again after `delay` seconds.
        case restart(delay: Double)
        /// Too many crashes in a row; the message says why.
        case giveUp(String)
    }

    /// The decision for an exit of a worker that ran `uptime` seconds, given the
    /// crashes counted so far (`consecutiveCrashes` is updated).
    public func decide(exitedCleanly: Bool, uptime: Double, consecutiveCrashes: inout Int) -> Decision {
        if exitedCleanly {
            consecutiveCrashes = 0
            return .finished
        }
        consecutiveCrashes = uptime >= healthyAfter ? 1 : consecutiveCrashes + 1
        if consecutiveCrashes > maximumConsecutiveCrashes {
            return .giveUp("crashed \(consecutiveCrashes) times in a row, each within \(Int(healthyAfter)) s of starting")
        }
        var delay = initialDelay
        for _ in 1..<consecutiveCrashes { delay = min(maximumDelay, delay * 2) }
        return .restart(delay: min(maximumDelay, delay))
    }
}
