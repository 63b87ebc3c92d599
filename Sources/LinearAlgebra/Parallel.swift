import Dispatch

/// Splits row loops of elementwise kernels (the forward pass's, centering a matrix)
/// across the threads BLAS may use, so a worker that pins BLAS to one thread per slot
/// (`--concurrency N`) is not oversubscribed.
public enum Parallel {
    /// Below this many elements per chunk the dispatch costs more than it saves.
    public static let minimumWork = 1 << 15

    /// Calls `body` on disjoint row ranges covering 0..<rows, concurrently.
    public static func rows(_ rows: Int, work: Int, _ body: (Range<Int>) -> Void) {
        let threads = min(BLASThreads.count, max(1, work / minimumWork), rows)
        guard threads > 1 else {
            if rows > 0 { body(0..<rows) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let chunk = RowChunk(body: escapable)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let start = rows * t / threads, end = rows * (t + 1) / threads
                if start < end { chunk.body(start..<end) }
            }
        }
    }
}

/// The kernels' row loops capture raw buffer pointers, which are not Sendable. Handing
/// them to concurrentPerform is safe: it returns only after every iteration has finished
/// (the closure does not outlive the call), and each iteration writes disjoint rows.
private struct RowChunk: @unchecked Sendable {
    let body: (Range<Int>) -> Void
}
