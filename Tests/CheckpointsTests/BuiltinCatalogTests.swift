import Testing
@testable import Checkpoints

/// The built-in catalogs against public facts (Pythia paper Table 1, the OLMo model cards
/// and branch names quoted in them, allenai/OLMo's checkpoint CSVs).
@Suite struct BuiltinCatalogTests {
    @Test(arguments: [("pythia-70m", 6, 512), ("pythia-160m", 12, 768), ("pythia-410m", 24, 1024),
                      ("pythia-1b", 16, 2048), ("pythia-1.4b", 24, 2048), ("pythia-2.8b", 32, 2560),
                      ("pythia-6.9b", 32, 4096), ("pythia-12b", 36, 5120), ("pythia-160m-deduped", 12, 768)])
    func pythiaShapesAndSchedule(name: String, layers: Int, width: Int) throws {
        let catalog = try BuiltinCatalog.named(name)
        #expect(catalog.layerCount == layers && catalog.hiddenSize == width && catalog.architecture == .gptNeoX)
        #expect(catalog.repo == "EleutherAI/\(name)" && catalog.family == "pythia")
        #expect(catalog.revisions.count == 154)
        let names = catalog.revisions.map(\.name)
        #expect(Array(names.prefix(12)) == ["step0", "step1", "step2", "step4", "step8", "step16", "step32",
                                            "step64", "step128", "step256", "step512", "step1000"])
        #expect(names.last == "step143000" && Set(names).count == 154)
        #expect(catalog.revision(named: "step143000")?.tokens == 299_892_736_000)
        #expect(catalog.revisions.allSatisfy { $0.tokens == $0.step * 2_097_152 && $0.repo == catalog.repo })
    }

    /// Branch names quoted on the model cards and in public code: OLMo-1B step20000-tokens84B,
    /// OLMo-7B step452000-tokens2000B / step556000-tokens2460B, OLMo-2 7B
    /// stage1-step1000-tokens5B, stage1-step207000-tokens869B, stage1-step928646-tokens3896B.
    @Test func olmoBranchNamesMatchTheHub() throws {
        let olmo1B = try BuiltinCatalog.named("olmo-1b"), olmo7B = try BuiltinCatalog.named("allenai/OLMo-7B-hf")
        #expect(olmo1B.revision(named: "step20000-tokens84B")?.step == 20000)
        #expect(olmo1B.revision(named: "step1000-tokens4B") != nil)
        #expect(olmo7B.revision(named: "step452000-tokens2000B") != nil)
        #expect(olmo7B.revision(named: "step556000-tokens2460B") != nil)
        let olmo2 = try BuiltinCatalog.named("olmo2-7b")
        for name in ["stage1-step1000-tokens5B", "stage1-step207000-tokens869B", "stage1-step928646-tokens3896B"] {
            #expect(olmo2.revision(named: name) != nil, "\(name)")
        }
        // OLMo-2 1B rounds up too (2,097,152 tokens per step: step 10000 is 20.97B).
        #expect(try BuiltinCatalog.named("olmo2-1b").revision(named: "stage1-step10000-tokens21B") != nil)
    }

    @Test func olmoShapesAndGrids() throws {
        let expected: [(String, Int, Int, Architecture, Int, Int)] = [
            ("olmo-1b", 16, 2048, .olmo, 351, 738_020), ("olmo-7b", 32, 4096, .olmo, 526, 558_223),
            ("olmo2-1b", 16, 2048, .olmo2, 195, 1_907_359), ("olmo2-7b", 32, 4096, .olmo2, 936, 928_646),
            ("olmo2-13b", 40, 5120, .olmo2, 650, 596_057),
        ]
        for (name, layers, width, architecture, count, last) in expected {
            let catalog = try BuiltinCatalog.named(name)
            #expect(catalog.layerCount == layers && catalog.hiddenSize == width && catalog.architecture == architecture)
            #expect(catalog.revisions.count == count && catalog.revisions.last?.step == last, "\(name)")
            let steps = catalog.revisions.map(\.step)
            #expect(steps == steps.sorted() && Set(steps).count == steps.count, "\(name) steps ascend once")
        }
        // OLMo-2's 4T / 5T token budgets: the last revision's tokens.
        #expect(try BuiltinCatalog.named("olmo2-1b").revisions.last!.tokens == 1_907_359 * 2_097_152)
        #expect(try BuiltinCatalog.named("olmo2-13b").revisions.last!.tokens / 1_000_000_000_000 == 5)
    }

    @Test func unknownModelNamesTheKnownOnes() {
        expectCheckpointError(.unknownModel, "no built-in catalog for model \"gpt-2\" (known: pythia-70m,", prefixOnly: true) {
            _ = try BuiltinCatalog.named("gpt-2")
        }
        #expect(BuiltinCatalog.family("olmo2").map(\.name) == ["olmo2-1b", "olmo2-7b", "olmo2-13b"])
    }
}
