import Dispatch
import Foundation

/// Turns SIGTERM and SIGINT into a call, so a preempted worker can release its jobs
/// instead of dying mid-write. Keep the returned trap alive for as long as it should act.
public final class SignalTrap {
    let sources: [any DispatchSourceSignal]

    /// Calls `action` (on a background queue) on each SIGTERM or SIGINT.
    public init(_ action: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "spectra.signals")
        sources = [SIGTERM, SIGINT].map { number in
            // The default disposition would kill the process before the source fires.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { action(number) }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
