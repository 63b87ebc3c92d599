internal import CLinalg

/// The OpenBLAS thread pool, which is global to the process.
///
/// One BLAS call can use every core, or several calls can run concurrently with BLAS
/// pinned to one thread each; mixing the two oversubscribes the cores. Callers that run
/// spectra concurrently (a worker with `--concurrency N`) set 1; a single `spectra
/// spectrum` leaves OpenBLAS's own default (`OPENBLAS_NUM_THREADS` or the core count).
public enum BLASThreads {
    /// The number of threads the next BLAS call may use.
    public static var count: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of threads for every later BLAS call in this process.
    public static func set(_ threads: Int) {
        openblas_set_num_threads(Int32(max(1, threads)))
    }

    /// Runs `body` with `threads` BLAS threads and restores the previous count afterwards.
    /// Not safe to nest with concurrent callers that set a different count: the pool is global.
    public static func with<T, E: Error>(_ threads: Int, _ body: () throws(E) -> T) throws(E) -> T {
        let previous = count
        set(threads)
        defer { set(previous) }
        return try body()
    }
}
