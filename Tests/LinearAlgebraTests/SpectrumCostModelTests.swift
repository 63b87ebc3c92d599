import Testing
@testable import LinearAlgebra

@Suite struct SpectrumCostModelTests {
    let model = SpectrumCostModel(memoryBudget: 12 << 30)

    // The benchmark shapes: a 256-rank sketch of 15000 × 20480 is far cheaper than a
    // 15000² Gram and its eigensolve; at 20000 × 2048 with K = 2048 nothing is gained.
    @Test func picksRandomizedForALowRankOfAWideMatrix() {
        #expect(model.choose(samples: 15000, features: 20480, rank: 256, options: RandomizedOptions()) == .randomized)
        #expect(model.choose(samples: 20000, features: 2048, rank: 2048, options: RandomizedOptions()) == .exact)
        #expect(model.choose(samples: 15000, features: 4096, rank: 2048, options: RandomizedOptions()) == .exact)
    }

    @Test func picksRandomizedWhenTheGramDoesNotFit() {
        let tight = SpectrumCostModel(memoryBudget: 1 << 20)
        #expect(tight.choose(samples: 5000, features: 4000, rank: 100, options: RandomizedOptions()) == .randomized)
    }

    @Test func aSketchAsWideAsTheMatrixIsExact() {
        #expect(model.choose(samples: 300, features: 200, rank: 90, options: RandomizedOptions()) == .exact)
    }

    @Test func blasThreadCountRoundTrips() {
        let before = BLASThreads.count
        let inside = BLASThreads.with(1) { BLASThreads.count }
        #expect(inside == 1)
        #expect(BLASThreads.count == before)
    }
}
