import Checkpoints
import Foundation
@testable import Hub
import Pipeline
import SpectraTestSupport
import Synchronization
import Testing

/// Checkpoints on demand end to end: a run planned from the local hub server (the bundled
/// tiny-pythia served as someorg/tiny-run), nothing fetched beforehand, and two workers of
/// one node with a cache budget smaller than the series.
@Suite("Cache budget", .serialized)
struct CacheBudgetTests {
    @Test("workers fetch what they need within --cache-budget: every job completes, the cache never exceeds it")
    func workersFetchWithinTheBudget() throws {
        let server = try HubTestServer(["--alias", "someorg/tiny-run=spectra/tiny-pythia"])
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-budget-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let hub = scratch.appendingPathComponent("hub")
        let url = try TestSupport.migratedDatabase()
        let env: [String: String?] = [
            "DATABASE_URL": url, "HF_ENDPOINT": server.endpoint, "HF_TOKEN": nil, "HF_HUB_CACHE": hub.path,
            "SPECTRA_ARTIFACTS": scratch.appendingPathComponent("artifacts").path,
        ]
        let probe = SpectraExecutable.repositoryRoot.appendingPathComponent("examples/probe.txt").path
        let planned = try SpectraExecutable.run(["plan", "--family", "hub", "--model", "someorg/tiny-run", "--steps", "log:6",
                                                 "--tokens-per-step", "2048", "--probe", probe, "--samples", "16",
                                                 "--max-tokens", "16", "--layers", "0,4"], environment: env)
        #expect(planned.status == 0, "\(planned.stderr)")
        // A revision is 667,824 bytes of weights plus config and tokenizer; 1.6 MB holds two of the six.
        let budget: Int64 = 1_600_000
        let store = CheckpointStore(cache: HubCache(root: hub), downloader: nil, budget: budget)
        let peak = Mutex<Int64>(0), stop = Atomic<Bool>(false)
        let monitor = Thread {
            while !stop.load(ordering: .relaxed) {
                let bytes = store.blobBytes()
                peak.withLock { $0 = max($0, bytes) }
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
        monitor.start()
        let work = try SpectraExecutable.run(["work", "--drain", "--concurrency", "2", "--cache-budget", "1600000"], environment: env)
        stop.store(true, ordering: .relaxed)
        while !monitor.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        #expect(work.status == 0, "\(work.stderr.suffix(2000))")
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs where state <> 'completed'", url: url) == 0)
        #expect(try TestSupport.count("select count(*) as n from spectra.results where source = 'representation'", url: url) == 12)
        #expect(peak.withLock { $0 } <= budget, "the cache reached \(peak.withLock { $0 }) bytes")
        #expect(peak.withLock { $0 } > 0, "nothing was fetched")
        // Six revisions, each fetched about once: its extract and weights jobs are claimed together.
        let fetches = server.requests.filter { $0.hasPrefix("GET /cdn/") }.count
        #expect(fetches >= 6 && fetches <= 8, "\(fetches) weight downloads for 6 revisions")
        let bad = try SpectraExecutable.run(["work", "--drain", "--cache-budget", "lots"], environment: env)
        #expect(bad.status != 0 && bad.stderr.contains("--cache-budget \"lots\""), "\(bad.stderr)")
    }
}
