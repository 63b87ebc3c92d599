import Checkpoints
import Foundation
import SpectraTestSupport
import Synchronization
import Testing
@testable import Hub

/// Checkpoints on demand against tools/hf_test_server.py serving the committed tiny series
/// (14 revisions of about 0.67 MB each): workers (threads here, each with its own lock
/// descriptors, as separate processes have) fetch what the cache lacks under a budget.
@Suite(.serialized) struct CheckpointStoreTests {
    let repo = "spectra/tiny-pythia"
    let series = ["step0", "step1", "step2", "step4", "step8", "step16", "step32", "step64", "step128", "step256",
                  "step512", "step1000", "step1500", "step2000"]

    private func withStore<R>(_ server: HubTestServer, budget: Int64?, _ body: (CheckpointStore) throws -> R) throws -> R {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let downloader = try HubDownloader.fromEnvironment(["HF_ENDPOINT": server.endpoint], cache: root)
        var store = CheckpointStore(cache: HubCache(root: root), downloader: downloader, budget: budget)
        store.spaceWait = 60
        return try body(store)
    }

    private func downloads(_ server: HubTestServer) -> Int {
        server.requests.filter { $0.hasPrefix("GET /cdn/") }.count
    }

    @Test("with a budget for three of fourteen revisions, four workers complete every job, the cache stays under it, each revision is fetched about once")
    func budgetSmallerThanTheSeries() throws {
        let server = try HubTestServer()
        let budget: Int64 = 2_400_000   // three 667,824-byte weight files plus config and tokenizer, not four
        try withStore(server, budget: budget) { store in
            let peak = Mutex<Int64>(0), failures = Mutex<[String]>([]), stop = Atomic<Bool>(false)
            let monitor = Thread {
                while !stop.load(ordering: .relaxed) {
                    let bytes = store.blobBytes()
                    peak.withLock { $0 = max($0, bytes) }
                    Thread.sleep(forTimeInterval: 0.002)
                }
            }
            monitor.start()
            // The queue's order: each checkpoint's jobs (an extract and a weights job here)
            // next to each other, checkpoints in turn; four workers claim them one at a time.
            let jobs = series.flatMap { [$0, $0] }
            let next = Mutex<Int>(0)
            DispatchQueue.concurrentPerform(iterations: 4) { worker in
                while true {
                    let index = next.withLock { i -> Int in
                        defer { i += 1 }
                        return i
                    }
                    guard index < jobs.count else { return }
                    let revision = jobs[index]
                    do {
                        let lease = try store.acquire(repo: repo, revision: revision)
                        defer { lease.release() }
                        let checkpoint = try CheckpointDirectory(url: lease.snapshot)
                        _ = try checkpoint.matrix("gpt_neox.layers.0.attention.dense.weight")
                        peak.withLock { $0 = max($0, store.blobBytes()) }
                    } catch {
                        failures.withLock { $0.append("worker \(worker) \(revision): \(error)") }
                    }
                }
            }
            stop.store(true, ordering: .relaxed)
            while !monitor.isFinished { Thread.sleep(forTimeInterval: 0.01) }
            #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
            #expect(peak.withLock { $0 } <= budget, "the cache reached \(peak.withLock { $0 }) bytes")
            #expect(store.blobBytes() <= budget)
            // Every weight file once; a revision evicted between its two jobs (possible only when
            // its first job ends before the second starts) costs one more, at most one a worker.
            let weightFetches = downloads(server)
            #expect(weightFetches >= series.count && weightFetches <= series.count + 4, "\(weightFetches) weight downloads for 28 jobs")
        }
    }

    @Test("two workers wanting the same missing revision download it once")
    func oneDownloadPerNode() throws {
        let server = try HubTestServer()
        try withStore(server, budget: nil) { store in
            let failures = Mutex<Int>(0)
            DispatchQueue.concurrentPerform(iterations: 3) { _ in
                do { try store.acquire(repo: repo, revision: "step64").release() } catch { failures.withLock { $0 += 1 } }
            }
            #expect(failures.withLock { $0 } == 0)
            #expect(downloads(server) == 1, "\(server.requests)")
        }
    }

    @Test("a held revision is not evicted; a fetch that needs its room waits, then gives up with the reason")
    func holdsAreRespected() throws {
        let server = try HubTestServer()
        // Room for one revision (about 0.72 MB with config and tokenizer), not two.
        try withStore(server, budget: 1_000_000) { store in
            var store = store
            store.spaceWait = 1
            let first = try store.acquire(repo: repo, revision: "step0")
            #expect(throws: CheckpointError.self) { try store.acquire(repo: repo, revision: "step1") }
            #expect(FileManager.default.fileExists(atPath: first.snapshot.path), "a held revision was evicted")
            first.release()
            let second = try store.acquire(repo: repo, revision: "step1")
            defer { second.release() }
            #expect(!FileManager.default.fileExists(atPath: first.snapshot.path), "the released revision should make room")
            #expect(store.blobBytes() <= 1_000_000)
        }
    }

    @Test("offline, a missing revision is the hub cache's error; sizes parse in binary units")
    func offlineAndSizes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-store-\(UUID().uuidString)")
        let store = try CheckpointStore.fromEnvironment(["HF_HUB_CACHE": root.path, "HF_HUB_OFFLINE": "1"], budget: "1G")
        #expect(store.downloader == nil && store.budget == 1 << 30)
        #expect(throws: CheckpointError.self) { try store.acquire(repo: repo, revision: "step0") }
        #expect(try CheckpointStore.parseSize("1.5T", setting: "x") == 3 << 39)
        #expect(try CheckpointStore.parseSize("800MiB", setting: "x") == 800 << 20)
        #expect(try CheckpointStore.parseSize("2048", setting: "x") == 2048)
        for bad in ["", "G", "-1G", "ten", "1e30T", "0"] {
            #expect(throws: CheckpointError.self, "\(bad)") { try CheckpointStore.parseSize(bad, setting: "x") }
        }
    }
}
