import Foundation
import Postgres
import SpectraTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// An artifact store that refuses writes, as a real `spectra work` process meets it.
///
/// How the store is made to fail: the worker runs under a soft file-size limit
/// (RLIMIT_FSIZE, `ulimit -S -f 1`), so the kernel itself fails its writes of regular
/// files with EFBIG — the same errno class as a full disk or a quota (ENOSPC, EDQUOT), met
/// through the real write path, without root (a small tmpfs needs a mount) and without a
/// fault switch in the product. The test then raises the limit from outside with
/// prlimit(2), as an operator frees space. ENOSPC itself is exercised against /dev/full in
/// JobsTests.ArtifactFileWriterTests.
@Suite("Artifact store faults")
struct ArtifactStoreFaultTests {
    static func launchLimited(_ arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -S -f 1 && exec \"$0\" \"$@\"", SpectraExecutable.binary.path] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return process
    }

    static func raiseFileSizeLimit(of pid: pid_t) -> Bool {
        #if canImport(Glibc)
        // glibc declares prlimit only under _GNU_SOURCE, which Swift's Glibc module does
        // not set: look the symbol up instead (RTLD_DEFAULT is a null handle on glibc).
        typealias Prlimit = @convention(c) (pid_t, Int32, UnsafePointer<rlimit>?, UnsafeMutablePointer<rlimit>?) -> Int32
        guard let symbol = dlsym(nil, "prlimit") else { return false }
        var unlimited = rlimit(rlim_cur: rlim_t.max, rlim_max: rlim_t.max)  // RLIM_INFINITY
        return unsafeBitCast(symbol, to: Prlimit.self)(pid, Int32(RLIMIT_FSIZE.rawValue), &unlimited, nil) == 0
        #else
        return false
        #endif
    }

    @Test("a store that refuses writes holds the extract job without spending an attempt or losing its results; freed, the job completes in the same lease",
          .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/limits"), "needs Linux's prlimit(2)"))
    func refusedWritesAreRiddenOut() throws {
        let series = try FixtureSeries.make(revisions: 1)
        defer { series.remove() }
        let url = try TestSupport.migratedDatabase()
        let artifacts = series.directory.appendingPathComponent("artifacts").path
        let env = ["DATABASE_URL": url, "SPECTRA_ARTIFACTS": artifacts, "SPECTRA_LOG_LEVEL": "info"]
        let planned = try RepresentationRunTests.plan(series, env: env)
        #expect(planned.status == 0, "\(planned.stderr)")

        let worker = try Self.launchLimited(["work", "--drain", "--kinds", "extract", "--lease-seconds", "3"], environment: env)
        // The fault reaches the job's row through a heartbeat while the worker retries.
        let deadline = Date().addingTimeInterval(90)
        var noted = false
        while !noted, Date() < deadline, worker.isRunning {
            noted = try TestSupport.count("select count(*) as n from spectra.jobs where kind = 'extract' and infra_faults > 0", url: url) == 1
            if !noted { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(noted, "the extract job never recorded the store's fault")
        #expect(try TestSupport.count("select count(*) as n from spectra.artifacts", url: url) == 0, "nothing was written yet")
        #expect(Self.raiseFileSizeLimit(of: worker.processIdentifier), "prlimit: \(String(cString: strerror(errno)))")
        let output = try SpectraExecutable.collect(worker)
        #expect(output.status == 0, "\(output.stderr.suffix(2000))")

        let row = try #require(try Connection(url: url).query(SQLQuery(
            "select state::text as s, attempt, completions, infra_faults, last_error from spectra.jobs where kind = 'extract'")).first)
        #expect(try row.decode("s", as: String.self) == "completed")
        #expect(try row.decode("attempt", as: Int.self) == 1, "no attempt spent on the store's fault")
        #expect(try row.decode("completions", as: Int.self) == 1)
        #expect(try row.decode("infra_faults", as: Int.self) >= 1)
        let error = try row.decode("last_error", as: String?.self) ?? ""
        #expect(error.contains("artifact store: cannot write") && error.contains("File too large")
                && error.contains("results kept in memory"), "\(error)")
        // Completed in its first lease from what it had computed: no second forward pass.
        #expect(!output.stderr.contains("resuming after"), "\(output.stderr.suffix(2000))")
        // 4 hidden states × 2 poolings of the one revision, each readable and complete.
        #expect(try TestSupport.count("select count(*) as n from spectra.artifacts", url: url) == 8)
        let paths = try Connection(url: url).query(SQLQuery("select path from spectra.artifacts"))
            .map { artifacts + "/" + (try $0.decode("path", as: String.self)) }
        for path in paths {
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            #expect(size == 128 + 36 * 32 * 4, "\(path): \(size) bytes")
        }
    }
}
