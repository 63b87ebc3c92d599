import Foundation
import Testing
@testable import Checkpoints

@Suite struct RevisionCatalogTests {
    /// A series directory with checkpoints named `revisions` and the given catalog text.
    private func series(in dir: URL, revisions: [String], catalog: String) throws {
        for name in revisions {
            let rev = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: rev, withIntermediateDirectories: true)
            try write(neoXConfig(), to: rev, "config.json")
            try SafetensorsWriter.write(tensors: [(name: "w", shape: [2, 2], dtype: .f16, values: [1, 2, 3, 4])],
                                        to: rev.appendingPathComponent("model.safetensors"))
        }
        try write(catalog, to: dir, "catalog.json")
    }

    @Test func tokensDerivedFromStepsAndSortedByStep() throws {
        try withTemporaryDirectory { dir in
            try series(in: dir, revisions: ["step10", "step0"], catalog: """
                {"model": "m", "family": "pythia-like", "tokens_per_step": 100,
                 "revisions": [{"name": "step10", "step": 10}, {"name": "step0", "step": 0, "tokens": 0}]}
                """)
            let catalog = try RevisionCatalog.load(seriesDirectory: dir)
            #expect(catalog.model == "m" && catalog.family == "pythia-like" && catalog.tokensPerStep == 100)
            #expect(catalog.entries.map(\.name) == ["step0", "step10"])
            #expect(catalog.entries.map(\.tokens) == [0, 1000])
            #expect(try catalog.checkpoint(catalog.entries[1]).matrix("w").storage == [1, 2, 3, 4])
        }
    }

    @Test func missingRevisionDirectory() throws {
        try withTemporaryDirectory { dir in
            try series(in: dir, revisions: ["step0"], catalog: """
                {"model": "m", "tokens_per_step": 1, "revisions": [{"name": "step0", "step": 0}, {"name": "step5", "step": 5}]}
                """)
            let file = dir.appendingPathComponent("catalog.json").path
            expectCheckpointError(.missingRevision,
                "\(file): revision step5 (entry 1): directory \(dir.appendingPathComponent("step5").path) does not hold "
                + "a checkpoint (config.json and weights: model.safetensors, pytorch_model.bin, or the index of either)") {
                _ = try RevisionCatalog.load(seriesDirectory: dir)
            }
        }
    }

    @Test func duplicateNames() throws {
        try withTemporaryDirectory { dir in
            try series(in: dir, revisions: ["step0"], catalog: """
                {"model": "m", "tokens_per_step": 1, "revisions": [{"name": "step0", "step": 0}, {"name": "step0", "step": 0}]}
                """)
            expectCheckpointError(.duplicateRevision,
                "\(dir.appendingPathComponent("catalog.json").path): revision step0 (entry 1) is listed more than once") {
                _ = try RevisionCatalog.load(seriesDirectory: dir)
            }
        }
    }

    @Test func negativeStep() throws {
        try withTemporaryDirectory { dir in
            try series(in: dir, revisions: ["early"], catalog: """
                {"model": "m", "tokens_per_step": 1, "revisions": [{"name": "early", "step": -1}]}
                """)
            expectCheckpointError(.malformedCatalog,
                "\(dir.appendingPathComponent("catalog.json").path): revision early (entry 0) has negative step -1") {
                _ = try RevisionCatalog.load(seriesDirectory: dir)
            }
        }
    }

    @Test func noTokensAndNoTokensPerStep() throws {
        try withTemporaryDirectory { dir in
            try series(in: dir, revisions: ["step3"], catalog: #"{"model": "m", "revisions": [{"name": "step3", "step": 3}]}"#)
            expectCheckpointError(.malformedCatalog,
                "\(dir.appendingPathComponent("catalog.json").path): revision step3 (entry 0) has no \"tokens\" "
                + "and the catalog has no tokens_per_step to derive them") {
                _ = try RevisionCatalog.load(seriesDirectory: dir)
            }
        }
    }

    @Test func nameThatLeavesTheSeries() throws {
        try withTemporaryDirectory { dir in
            try series(in: dir, revisions: [], catalog: #"{"model": "m", "revisions": [{"name": "../x", "step": 3, "tokens": 1}]}"#)
            expectCheckpointError(.malformedCatalog,
                "\(dir.appendingPathComponent("catalog.json").path): revision entry 0 needs a \"name\" that is a plain directory name") {
                _ = try RevisionCatalog.load(seriesDirectory: dir)
            }
        }
    }

    @Test func missingCatalog() throws {
        try withTemporaryDirectory { dir in
            expectCheckpointError(.malformedCatalog, "series \(dir.path): no catalog.json in the directory") {
                _ = try RevisionCatalog.load(seriesDirectory: dir)
            }
        }
    }

    @Test func emptyRevisions() throws {
        try withTemporaryDirectory { dir in
            try series(in: dir, revisions: [], catalog: #"{"model": "m", "revisions": []}"#)
            expectCheckpointError(.malformedCatalog,
                "\(dir.appendingPathComponent("catalog.json").path): \"revisions\" must be a non-empty array") {
                _ = try RevisionCatalog.load(seriesDirectory: dir)
            }
        }
    }
}
