import Testing
import Checkpoints

/// Branch names of public training runs, and names that carry no step.
@Suite struct BranchNameTests {
    @Test(arguments: [
        ("step3000", 3000, nil),
        ("step0", 0, nil),
        ("step-125000", 125_000, nil),
        ("step_360", 360, nil),
        ("step20000-tokens84B", 20000, 84_000_000_000),
        ("stage1-step1000-tokens5B", 1000, 5_000_000_000),
        ("stage2-ingredient1-step11931-tokens101B", 11931, 101_000_000_000),
        ("step1000-tokens4194M", 1000, 4_194_000_000),
        ("ckpt_042", 42, nil),
        ("ckpt-359", 359, nil),
        ("Step500-Tokens2T", 500, 2_000_000_000_000),
    ] as [(String, Int, Int?)])
    func readsTheSchemes(name: String, step: Int, tokens: Int?) {
        #expect(BranchName.parse(name) == BranchName(step: step, tokens: tokens))
    }

    @Test(arguments: ["main", "v1.0", "step", "step-x", "stepabc", "tokens5B", "step1-step2", "",
                      "step9999999999999999999", "step1-tokens99999999999999999T"])
    func refusesWhatCarriesNoStep(name: String) {
        #expect(BranchName.parse(name) == nil)
    }
}
