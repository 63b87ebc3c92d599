import Testing
import SpectraBase

@Suite struct CheckedSizeTests {
    /// Oracle: exact integer arithmetic; 2^59 × 4 × 4 = 2^63 is one past Int64.max, and
    /// 2^59 × 4 × 3 = 3 · 2^61 still fits.
    @Test func productsReportOverflow() {
        #expect(CheckedSize.product(Int64(1) << 59, 4, 4) == nil)
        #expect(CheckedSize.product(Int64(1) << 59, 4, 3) == Int64(3) << 61)
        #expect(CheckedSize.product([Int]()) == 1)
        #expect(CheckedSize.product([0, Int.max, Int.max]) == 0)
        #expect(CheckedSize.product([Int.max, Int.max, 0]) == nil)
    }

    @Test func sumsReportOverflow() {
        #expect(CheckedSize.sum(Int.max - 1, 1) == Int.max)
        #expect(CheckedSize.sum(Int.max, 1) == nil)
    }

    /// A missing term (an earlier overflow) or a negative one gives nil, so estimates chain.
    @Test func missingOrNegativeTermsGiveNil() {
        #expect(CheckedSize.product([2, nil, 3]) == nil)
        #expect(CheckedSize.sum([CheckedSize.product(Int.max, 2), 1]) == nil)
        #expect(CheckedSize.product([4, -1]) == nil)
        #expect(CheckedSize.sum([5, -2]) == nil)
        #expect(CheckedSize.sum([CheckedSize.product(3, 4), 5]) == 17)
    }
}
