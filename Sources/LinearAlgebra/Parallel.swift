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

extension Parallel {
    /// Runs `first` and `second` at the same time when BLAS may use two or more threads
    /// (serial LAPACK routines that would otherwise leave a core idle), one after the
    /// other otherwise. The first error thrown is rethrown once both have finished.
    public static func pair<A, B, E: Error>(_ first: () throws(E) -> A, _ second: () throws(E) -> B) throws(E) -> (A, B) {
        guard BLASThreads.count > 1 else { return (try first(), try second()) }
        let results = withoutActuallyEscaping(first) { first in
            withoutActuallyEscaping(second) { second in
                let pair = TaskPair(first: first, second: second)
                DispatchQueue.concurrentPerform(iterations: 2) { pair.run($0) }
                return (pair.a, pair.b)
            }
        }
        guard let a = results.0, let b = results.1 else { preconditionFailure("concurrentPerform skipped a task") }
        return (try a.get(), try b.get())
    }
}

/// The two tasks of `Parallel.pair` and their results. Each slot is written by one
/// iteration only and read after concurrentPerform has returned.
private final class TaskPair<A, B, E: Error>: @unchecked Sendable {
    let first: () throws(E) -> A
    let second: () throws(E) -> B
    var a: Result<A, E>?
    var b: Result<B, E>?

    init(first: @escaping () throws(E) -> A, second: @escaping () throws(E) -> B) {
        (self.first, self.second) = (first, second)
    }

    func run(_ index: Int) {
        if index == 0 {
            do throws(E) { a = .success(try first()) } catch { a = .failure(error) }
        } else {
            do throws(E) { b = .success(try second()) } catch { b = .failure(error) }
        }
    }
}

/// The kernels' row loops capture raw buffer pointers, which are not Sendable. Handing
/// them to concurrentPerform is safe: it returns only after every iteration has finished
/// (the closure does not outlive the call), and each iteration writes disjoint rows.
private struct RowChunk: @unchecked Sendable {
    let body: (Range<Int>) -> Void
}
