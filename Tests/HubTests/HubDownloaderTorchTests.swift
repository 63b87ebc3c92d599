import Checkpoints
import Foundation
import SpectraBase
import SpectraTestSupport
import Testing
@testable import Hub

/// `spectra fetch` on a revision that has only PyTorch weights: the downloader falls back
/// from safetensors to pytorch_model.bin.index.json and its shards. The oracle is the
/// torch-written fixture (Tests/Fixtures/torch/neox) served from a temporary hub.
@Suite struct HubDownloaderTorchTests {
    let repo = "spectra/tiny-bin"
    let commit = String(repeating: "ab", count: 20)
    let files = ["config.json", "pytorch_model.bin.index.json",
                 "pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"]
    let fixture = SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/torch/neox")

    /// A hub-cache layout holding the fixture's .bin files (and no safetensors) at `main`;
    /// LFS blobs are named by their sha256, as the server's etags promise.
    private func makeHub(_ root: URL) throws {
        let model = root.appendingPathComponent("models--spectra--tiny-bin")
        let snapshot = model.appendingPathComponent("snapshots/\(commit)")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: model.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: model.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try Data(commit.utf8).write(to: model.appendingPathComponent("refs/main"))
        for (index, file) in files.enumerated() {
            let data = try Data(contentsOf: fixture.appendingPathComponent(file))
            let blob = file.hasSuffix(".bin") ? SHA256.hexDigest(data) : String(repeating: "\(index)", count: 40)
            try data.write(to: model.appendingPathComponent("blobs/\(blob)"))
            try FileManager.default.createSymbolicLink(atPath: snapshot.appendingPathComponent(file).path,
                                                       withDestinationPath: "../../blobs/\(blob)")
        }
    }

    @Test func fallsBackToShardedBin() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-hub-bin-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let hub = root.appendingPathComponent("served"), cache = root.appendingPathComponent("cache")
        try makeHub(hub)
        let server = try HubTestServer(root: hub)
        let snapshot = try HubDownloader.fromEnvironment(["HF_ENDPOINT": server.endpoint], cache: cache)
            .download(repo: repo, revision: "main")
        #expect(snapshot.lastPathComponent == commit)
        for file in files {
            #expect(try Data(contentsOf: snapshot.appendingPathComponent(file)) == Data(contentsOf: fixture.appendingPathComponent(file)))
        }
        // Safetensors was asked for first, and absent.
        #expect(server.requests.contains { $0.hasPrefix("HEAD /\(repo)/resolve/main/model.safetensors ") })
        let checkpoint = try HubCache(root: cache).checkpoint(model: repo, revision: "main")
        #expect(checkpoint.format == .pytorch)
        let reference = try SafetensorsFile(url: fixture.appendingPathComponent("model.safetensors"))
        #expect(try checkpoint.matrix("lm_head.weight") == reference.matrix("lm_head.weight"))
    }
}
