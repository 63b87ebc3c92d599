import Checkpoints
import Foundation
import SpectraTestSupport
import Testing
@testable import Hub

/// Branch listings of repositories without a built-in catalog, from tools/hf_test_server.py
/// serving the bundled tiny-pythia hub cache under another name (its 14 branches step0 …
/// step2000 and main-less refs are the oracle).
@Suite(.serialized) struct HubRevisionsTests {
    static let alias = "someorg/tiny-run=spectra/tiny-pythia"

    private func downloader(_ server: HubTestServer, cache: URL, token: String? = nil) throws -> HubDownloader {
        var env = ["HF_ENDPOINT": server.endpoint]
        env["HF_TOKEN"] = token
        return try HubDownloader.fromEnvironment(env, cache: cache)
    }

    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-refs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func listsBranchesInTrainingOrderWithTokens() throws {
        let server = try HubTestServer(["--alias", Self.alias])
        let cache = try scratch()
        defer { try? FileManager.default.removeItem(at: cache) }
        let revisions = try HubRevisions.list("someorg/tiny-run", downloader: downloader(server, cache: cache), tokensPerStep: 2048)
        let expected = try FileManager.default.contentsOfDirectory(
            atPath: HubTestServer.hub.appendingPathComponent("models--spectra--tiny-pythia/refs").path)
        #expect(revisions.count == expected.count)
        #expect(revisions.map(\.step) == revisions.map(\.step).sorted())
        #expect(revisions.first?.name == "step0" && revisions.last?.name == "step2000")
        #expect(revisions.allSatisfy { $0.tokens == $0.step * 2048 && $0.repo == "someorg/tiny-run" })
        #expect(server.requests.contains { $0.hasPrefix("GET /api/models/someorg/tiny-run/refs") })
    }

    @Test func namesWithoutTokensNeedTokensPerStep() throws {
        let server = try HubTestServer(["--alias", Self.alias])
        let cache = try scratch()
        defer { try? FileManager.default.removeItem(at: cache) }
        let error = #expect(throws: CheckpointError.self) {
            _ = try HubRevisions.list("someorg/tiny-run", downloader: downloader(server, cache: cache), tokensPerStep: nil)
        }
        #expect(error?.message.contains("--tokens-per-step") == true && error?.message.contains("step1000") == true)
    }

    /// A repository with a branch no scheme reads: the error names it.
    @Test func unreadableBranchIsNamed() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let source = HubTestServer.hub.appendingPathComponent("models--spectra--tiny-pythia")
        let model = root.appendingPathComponent("models--someorg--odd")
        try FileManager.default.createDirectory(at: model.appendingPathComponent("refs"), withIntermediateDirectories: true)
        for ref in try FileManager.default.contentsOfDirectory(atPath: source.appendingPathComponent("refs").path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent("refs/\(ref)"), to: model.appendingPathComponent("refs/\(ref)"))
        }
        try Data("0000".utf8).write(to: model.appendingPathComponent("refs/release-candidate"))
        let server = try HubTestServer(["--root", root.path])
        let error = #expect(throws: CheckpointError.self) {
            _ = try HubRevisions.list("someorg/odd", downloader: downloader(server, cache: root), tokensPerStep: 1)
        }
        #expect(error?.message.contains("release-candidate") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("someorg/odd@BRANCH") == true)
    }

    @Test func gatedAndMissingRepositoriesSaySo() throws {
        let gated = try HubTestServer(["--alias", Self.alias, "--token", "secret"])
        let cache = try scratch()
        defer { try? FileManager.default.removeItem(at: cache) }
        let refused = #expect(throws: CheckpointError.self) {
            _ = try HubRevisions.branches(of: "someorg/tiny-run", downloader: downloader(gated, cache: cache))
        }
        #expect(refused?.message.contains("set HF_TOKEN") == true)
        #expect(try HubRevisions.branches(of: "someorg/tiny-run", downloader: downloader(gated, cache: cache, token: "secret")).count == 14)
        let missing = #expect(throws: CheckpointError.self) {
            _ = try HubRevisions.branches(of: "someorg/nothing", downloader: downloader(gated, cache: cache, token: "secret"))
        }
        #expect(missing?.message.contains("no such repository") == true)
    }

    /// Planning reads config.json alone; the revision stays missing from the cache.
    @Test func configIsFetchedAlone() throws {
        let server = try HubTestServer(["--alias", Self.alias])
        let cache = try scratch()
        defer { try? FileManager.default.removeItem(at: cache) }
        let config = try downloader(server, cache: cache).config(repo: "someorg/tiny-run", revision: "step512")
        #expect(config.architecture == .gptNeoX && config.layerCount == 4 && config.hiddenSize == 64)
        #expect(server.requests.allSatisfy { !$0.contains("model.safetensors") }, "\(server.requests)")
        #expect(throws: CheckpointError.self) { _ = try HubCache(root: cache).snapshotDirectory(model: "someorg/tiny-run", revision: "step512") }
    }
}
