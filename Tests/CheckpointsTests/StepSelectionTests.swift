import Testing
@testable import Checkpoints

@Suite struct StepSelectionTests {
    let pythia = try! BuiltinCatalog.named("pythia-160m").revisions

    private func steps(_ spec: String, _ entries: [RevisionInfo]? = nil) throws -> [Int] {
        try StepSelection.parse(spec).select(from: entries ?? pythia).map(\.step)
    }

    @Test func explicitListsAndNames() throws {
        #expect(try steps("0,1000,143000") == [0, 1000, 143_000])
        #expect(try steps("step143000, 512,step512") == [512, 143_000])
        let olmo = try BuiltinCatalog.named("olmo-1b").revisions
        #expect(try steps("step20000-tokens84B", olmo) == [20000])
        #expect(try steps("step20000,1000", olmo) == [1000, 20000], "stepN finds OLMo's stepN-tokensMB")
    }

    @Test func everyAndAll() throws {
        #expect(try steps("every:10000") == [0] + Array(stride(from: 10000, through: 140_000, by: 10000)))
        #expect(try steps("every:256") == [0, 256, 512, 32000, 64000, 96000, 128_000])
        #expect(try steps("all").count == 154)
    }

    /// log:K — K distinct revisions, first and last included, log-spaced: with 154 Pythia
    /// revisions, log:8 lands on the early powers of two and thins out late.
    @Test func logSpacedIncludesEndsWithoutDuplicates() throws {
        let chosen = try steps("log:8")
        #expect(chosen.count == 8 && Set(chosen).count == 8)
        #expect(chosen.first == 0 && chosen.last == 143_000)
        // Targets e^(i·ln(143001)/7) − 1 = 4.4, 29, 161, 881, 4800, 26000: nearest in log(1 + step).
        #expect(chosen == [0, 4, 32, 128, 1000, 5000, 26000, 143_000], "\(chosen)")
        #expect(try steps("log:500").count == 154, "more than exist: all of them")
        #expect(try steps("log:2") == [0, 143_000])
        // Union with another part stays sorted and unique.
        #expect(try steps("log:3,0,143000").count == 3)
    }

    @Test func tokenRanges() throws {
        // 2,097,152 tokens per step: 1B..10B is steps 477…4768, so 512 and 1000…4000.
        #expect(try steps("tokens:1B..10B") == [512, 1000, 2000, 3000, 4000])
        #expect(try steps("tokens:..10M") == [0, 1, 2, 4])
        #expect(try steps("tokens:299.8B..") == [143_000])
    }

    @Test func errorsNameTheBadPart() {
        let cases: [(String, String)] = [
            ("0,,1000", "--steps 0,,1000: part \"\" is empty (two commas in a row, or a trailing comma)"),
            ("every:0", "--steps every:0: part \"every:0\" needs a positive step count after every:"),
            ("log:1", "--steps log:1: part \"log:1\" needs a count of at least 2 after log:"),
            ("tokens:5X..9B", "--steps tokens:5X..9B: part \"tokens:5X..9B\" has \"5X\", not a token count like 500M, 1.5B or 2T"),
            ("tokens:9B..1B", "--steps tokens:9B..1B: part \"tokens:9B..1B\" is an empty range (9B is above 1B)"),
            ("0;1000", "--steps 0;1000: part \"0;1000\" is not a step, a revision name, all, every:N, log:K or tokens:A..B"),
            ("-5", "--steps -5: part \"-5\" is a negative step"),
        ]
        for (spec, message) in cases {
            expectCheckpointError(.invalidStepSelection, message) { _ = try StepSelection.parse(spec) }
        }
        expectCheckpointError(.invalidStepSelection,
            "--steps 0,1500: step 1500 is not among the 154 revisions (nearest: step 1000, step 2000)") {
            _ = try steps("0,1500")
        }
        expectCheckpointError(.invalidStepSelection,
            "--steps main: no revision is named \"main\" (names look like step0, step1, step2, …)") {
            _ = try steps("main")
        }
        expectCheckpointError(.invalidStepSelection,
            "--steps tokens:1T.. selects none of the 154 revisions (steps 0…143000, tokens 0…300B)") {
            _ = try steps("tokens:1T..")
        }
    }

    @Test func tokenUnits() {
        #expect(StepSelection.tokenCount("500M") == 500_000_000)
        #expect(StepSelection.tokenCount("1.5b") == 1_500_000_000)
        #expect(StepSelection.tokenCount("2T") == 2_000_000_000_000)
        #expect(StepSelection.tokenCount("4096") == 4096 && StepSelection.tokenCount("7K") == 7000)
        #expect(StepSelection.tokenCount("B") == nil && StepSelection.tokenCount("-1B") == nil)
    }
}
