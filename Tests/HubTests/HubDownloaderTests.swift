import Checkpoints
import Foundation
import Postgres
import SpectraTestSupport
import Testing
@testable import Hub

/// Downloads from tools/hf_test_server.py (which answers like the Hub: 302 + X-Linked-Etag
/// for .safetensors, Range support on the CDN path) into a temporary hub cache; the oracle
/// is the committed examples/hub the server reads from.
@Suite(.serialized) struct HubDownloaderTests {
    let repo = "spectra/tiny-pythia"

    private func withCache<R>(_ body: (URL) throws -> R) throws -> R {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-hub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url)
    }

    private func downloader(_ server: HubTestServer, cache: URL, token: String? = nil, attempts: Int = 5) throws -> HubDownloader {
        var env = ["HF_ENDPOINT": server.endpoint]
        env["HF_TOKEN"] = token
        var downloader = try HubDownloader.fromEnvironment(env, cache: cache)
        downloader.attempts = attempts
        return downloader
    }

    private func source(_ revision: String, _ file: String) throws -> Data {
        let cache = HubCache(root: HubTestServer.hub)
        return try Data(contentsOf: cache.snapshotDirectory(model: repo, revision: revision).appendingPathComponent(file))
    }

    @Test func downloadsIntoTheHubCacheLayout() throws {
        let server = try HubTestServer()
        try withCache { root in
            let snapshot = try downloader(server, cache: root).download(repo: repo, revision: "step512")
            let model = HubCache(root: root).modelDirectory(repo)
            let expectedCommit = try String(contentsOf: HubCache(root: HubTestServer.hub).modelDirectory(repo)
                .appendingPathComponent("refs/step512"), encoding: .utf8)
            #expect(try String(contentsOf: model.appendingPathComponent("refs/step512"), encoding: .utf8) == expectedCommit)
            #expect(snapshot.lastPathComponent == expectedCommit)
            for file in ["config.json", "tokenizer.json", "model.safetensors"] {
                let link = try FileManager.default.destinationOfSymbolicLink(atPath: snapshot.appendingPathComponent(file).path)
                #expect(link.hasPrefix("../../blobs/"), "\(file) → \(link)")
                #expect(try Data(contentsOf: snapshot.appendingPathComponent(file)) == source("step512", file), "\(file)")
            }
            let checkpoint = try HubCache(root: root).checkpoint(model: repo, revision: "step512")
            #expect(checkpoint.config.architecture == .gptNeoX)
            // A second fetch finds every blob in place and transfers nothing.
            let before = server.requests.filter { $0.hasPrefix("GET") }.count
            _ = try downloader(server, cache: root).download(repo: repo, revision: "step512")
            #expect(server.requests.filter { $0.hasPrefix("GET") }.count == before)
        }
    }

    /// The server closes the first transfer of each blob after 100,000 bytes. With one
    /// attempt the call fails and keeps the bytes; the next call asks for the rest.
    @Test func resumesACutTransferWithRange() throws {
        let server = try HubTestServer(["--cut-after", "100000"])
        try withCache { root in
            #expect(throws: CheckpointError.self) {
                _ = try downloader(server, cache: root, attempts: 1).download(repo: repo, revision: "step0")
            }
            let blobs = HubCache(root: root).modelDirectory(repo).appendingPathComponent("blobs")
            let partial = try #require(try FileManager.default.contentsOfDirectory(atPath: blobs.path)
                .first { $0.hasSuffix(".incomplete") })
            #expect(HubDownloader.size(of: blobs.appendingPathComponent(partial)) == 100_000)
            let snapshot = try downloader(server, cache: root, attempts: 1).download(repo: repo, revision: "step0")
            #expect(server.requests.contains { $0.hasPrefix("GET /cdn/") && $0.hasSuffix("bytes=100000-") }, "\(server.requests)")
            let weights = try Data(contentsOf: snapshot.appendingPathComponent("model.safetensors"))
            #expect(weights == (try source("step0", "model.safetensors")))
            #expect(try FileManager.default.contentsOfDirectory(atPath: blobs.path).allSatisfy { !$0.hasSuffix(".incomplete") })
        }
    }

    @Test func oneCallResumesByItself() throws {
        let server = try HubTestServer(["--cut-after", "4096"])
        try withCache { root in
            let snapshot = try downloader(server, cache: root).download(repo: repo, revision: "step1")
            #expect(try Data(contentsOf: snapshot.appendingPathComponent("model.safetensors")) == source("step1", "model.safetensors"))
        }
    }

    /// Same size, one byte flipped: the sha256 (the LFS etag) disagrees, nothing is kept.
    @Test func refusesAChecksumMismatch() throws {
        let server = try HubTestServer(["--corrupt"])
        try withCache { root in
            do {
                _ = try downloader(server, cache: root).download(repo: repo, revision: "step0")
                Issue.record("a corrupted download was accepted")
            } catch let error as CheckpointError {
                #expect(error.code == .checksumMismatch)
                #expect(error.message.contains("spectra/tiny-pythia@step0 model.safetensors: sha256 "), "\(error.message)")
            }
            let model = HubCache(root: root).modelDirectory(repo)
            let blobs = try FileManager.default.contentsOfDirectory(atPath: model.appendingPathComponent("blobs").path)
            #expect(blobs.count == 2 && blobs.allSatisfy { $0.count == 40 }, "only the two json blobs: \(blobs)")
            #expect(!FileManager.default.fileExists(atPath: model.appendingPathComponent("refs/step0").path))
        }
    }

    @Test func sendsHFTokenAsBearer() throws {
        let server = try HubTestServer(["--token", "s3cret"])
        try withCache { root in
            do {
                _ = try downloader(server, cache: root).download(repo: repo, revision: "step0")
                Issue.record("no token, yet the download succeeded")
            } catch let error as CheckpointError {
                #expect(error.message.hasSuffix("answered 401 (gated or private: set HF_TOKEN)"), "\(error.message)")
            }
            _ = try downloader(server, cache: root, token: "s3cret").download(repo: repo, revision: "step0")
        }
    }

    @Test func missingRevisionIsNamed() throws {
        let server = try HubTestServer()
        try withCache { root in
            do {
                _ = try downloader(server, cache: root).download(repo: repo, revision: "step777")
                Issue.record("a missing revision downloaded")
            } catch let error as CheckpointError {
                #expect(error.message.hasPrefix("spectra/tiny-pythia@step777 config.json: "), "\(error.message)")
                #expect(error.message.hasSuffix("answered HTTP 404"), "\(error.message)")
            }
        }
    }

    /// `spectra fetch` end to end: a built-in catalog (pythia-70m's names) served from the
    /// tiny series under an alias, into HF_HUB_CACHE.
    @Test func fetchCommandDownloadsTheSelection() throws {
        let server = try HubTestServer(["--alias", "EleutherAI/pythia-70m=spectra/tiny-pythia"])
        try withCache { root in
            let result = try SpectraExecutable.collect(SpectraExecutable.launch(
                ["fetch", "--family", "pythia", "--model", "pythia-70m", "--steps", "0,tokens:1M..3M,step512"],
                environment: ["HF_ENDPOINT": server.endpoint, "HF_HUB_CACHE": root.path]))
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.count == 4 && lines[1].hasPrefix("step0\t") && lines[2].hasPrefix("step1\t")
                    && lines[3].hasPrefix("step512\t"), "\(result.stdout)")
            #expect(HubCache(root: root).cachedRevisions(model: "EleutherAI/pythia-70m") == ["step0", "step1", "step512"])
            let bad = try SpectraExecutable.collect(SpectraExecutable.launch(
                ["fetch", "--model", "pythia-70m", "--steps", "0,1500", "--list"], environment: ["HF_HUB_CACHE": root.path]))
            #expect(bad.status != 0 && bad.stderr.contains("step 1500 is not among the 154 revisions"), "\(bad.stderr)")
        }
    }
}
