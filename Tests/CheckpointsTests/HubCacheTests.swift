import Foundation
import Testing
@testable import Checkpoints

@Suite struct HubCacheTests {
    /// Lays out a cache the way huggingface_hub does: blobs, a snapshot of symlinks, refs.
    private func makeCache(at root: URL) throws -> URL {
        let model = root.appendingPathComponent("models--EleutherAI--pythia-tiny")
        let blobs = model.appendingPathComponent("blobs")
        let snapshot = model.appendingPathComponent("snapshots/0123abcd")
        for dir in [blobs, snapshot, model.appendingPathComponent("refs")] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        try write(neoXConfig(), to: blobs, "aaaa")
        try SafetensorsWriter.write(tensors: [(name: "w", shape: [1, 2], dtype: .f16, values: [1, 2])],
                                    to: blobs.appendingPathComponent("bbbb"))
        try FileManager.default.createSymbolicLink(atPath: snapshot.appendingPathComponent("config.json").path,
                                                   withDestinationPath: "../../blobs/aaaa")
        try FileManager.default.createSymbolicLink(atPath: snapshot.appendingPathComponent("model.safetensors").path,
                                                   withDestinationPath: "../../blobs/bbbb")
        try write("0123abcd", to: model.appendingPathComponent("refs"), "step3000")
        return snapshot
    }

    @Test func resolvesRefsAndCommitsThroughSymlinks() throws {
        try withTemporaryDirectory { root in
            let snapshot = try makeCache(at: root)
            let cache = HubCache(root: root)
            #expect(try cache.snapshotDirectory(model: "EleutherAI/pythia-tiny", revision: "step3000").path == snapshot.path)
            #expect(try cache.snapshotDirectory(model: "EleutherAI/pythia-tiny", revision: "0123abcd").path == snapshot.path)
            #expect(try cache.checkpoint(model: "EleutherAI/pythia-tiny", revision: "step3000").matrix("w").storage == [1, 2])
            #expect(cache.cachedRevisions(model: "EleutherAI/pythia-tiny") == ["step3000"])
        }
    }

    @Test func revisionNotCached() throws {
        try withTemporaryDirectory { root in
            _ = try makeCache(at: root)
            expectCheckpointError(.notInCache,
                "model EleutherAI/pythia-tiny: revision step1000 is not in the hub cache \(root.path) (cached: step3000)") {
                _ = try HubCache(root: root).snapshotDirectory(model: "EleutherAI/pythia-tiny", revision: "step1000")
            }
        }
    }

    @Test func modelNotCached() throws {
        try withTemporaryDirectory { root in
            expectCheckpointError(.notInCache,
                "model allenai/OLMo-1B-hf is not in the hub cache \(root.path) (expected models--allenai--OLMo-1B-hf); "
                + "download it first, e.g. huggingface-cli download allenai/OLMo-1B-hf --revision main") {
                _ = try HubCache(root: root).snapshotDirectory(model: "allenai/OLMo-1B-hf")
            }
        }
    }

    @Test func defaultRootFollowsHuggingFaceEnvironment() {
        #expect(HubCache.defaultRoot(environment: ["HF_HUB_CACHE": "/c"]).path == "/c")
        #expect(HubCache.defaultRoot(environment: ["HF_HOME": "/h"]).path == "/h/hub")
        #expect(HubCache.defaultRoot(environment: ["HOME": "/u"]).path == "/u/.cache/huggingface/hub")
    }
}
