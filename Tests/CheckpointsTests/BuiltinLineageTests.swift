import Testing
@testable import Checkpoints

/// The built-in lineages against the public model cards and configs: OLMo-2-1124-7B is 32
/// layers × 4096, -13B 40 × 5120, Llama-3.1-8B 32 × 4096; the RLVR stage is -Instruct
/// (OLMo 2) and the unsuffixed Tulu 3 model.
@Suite struct BuiltinLineageTests {
    @Test(arguments: [("olmo2-1124-7b", "allenai/OLMo-2-1124-7B", "Olmo2ForCausalLM", 32, 4096),
                      ("olmo2-1124-13b", "allenai/OLMo-2-1124-13B", "Olmo2ForCausalLM", 40, 5120),
                      ("tulu3-8b", "meta-llama/Llama-3.1-8B", "LlamaForCausalLM", 32, 4096)])
    func stagesInOrderWithTheirShapes(name: String, base: String, architecture: String, layers: Int, width: Int) throws {
        let lineage = try BuiltinLineage.named(name)
        #expect(lineage.stages.map(\.label) == ["base", "SFT", "DPO", "RLVR"])
        #expect(lineage.stages[0].repo == base)
        for stage in lineage.stages {
            #expect(stage.architecture == architecture && stage.layerCount == layers && stage.hiddenSize == width)
            #expect(stage.revision == "main")
        }
    }

    @Test func rlvrStagesAndGatedBase() throws {
        #expect(try BuiltinLineage.named("olmo2-1124-7b").stages[3].repo == "allenai/OLMo-2-1124-7B-Instruct")
        let tulu = try BuiltinLineage.named("TULU3-8B")
        #expect(tulu.stages.map(\.repo) == ["meta-llama/Llama-3.1-8B", "allenai/Llama-3.1-Tulu-3-8B-SFT",
                                             "allenai/Llama-3.1-Tulu-3-8B-DPO", "allenai/Llama-3.1-Tulu-3-8B"])
        #expect(tulu.stages.map(\.gated) == [true, false, false, false])
        #expect(tulu.stages[1].modelName == "Llama-3.1-Tulu-3-8B-SFT")
    }

    @Test func unknownLineageListsTheKnownOnes() {
        #expect {
            try BuiltinLineage.named("olmo3-7b")
        } throws: { error in
            let message = (error as? CheckpointError)?.message ?? ""
            return message.contains("olmo3-7b") && message.contains("olmo2-1124-7b, olmo2-1124-13b, tulu3-8b")
        }
    }
}
