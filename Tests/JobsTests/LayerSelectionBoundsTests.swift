import Checkpoints
import Jobs
import Testing

/// `--layers` and the layer count from a config are bounded before a range is expanded or
/// `0..<count` is materialized (a count of 2^62 once wrapped an allocation into a SIGSEGV).
@Suite struct LayerSelectionBoundsTests {
    @Test func hugeRangeIsRefusedBeforeExpansion() throws {
        #expect(throws: PipelineError(.invalidArgument,
            "--layers: '0-9223372036854775806' goes past 4096, the most layers Spectra accepts")) {
            _ = try LayerSelection(parsing: "0-9223372036854775806")
        }
        #expect(throws: PipelineError.self) { _ = try LayerSelection(parsing: "4097") }
        #expect(try LayerSelection(parsing: "4090-4096") == .some(Array(4090...4096)))
    }

    @Test(arguments: [Int.max, 1 << 62, 1_000_000_000, -1])
    func hugeCountIsRefused(count: Int) {
        #expect(throws: PipelineError(.invalidArgument,
            "model m: \(count) layers is outside 0…4097, the most Spectra accepts")) {
            _ = try LayerSelection.all.resolve(count: count, model: "m")
        }
    }

    @Test func countAtTheLimitResolves() throws {
        #expect(try LayerSelection.all.resolve(count: ModelLimits.layerCount + 1, model: "m").count == 4097)
    }

    @Test func optionLimitsNameTheOption() {
        #expect(throws: PipelineError(.invalidArgument, "--samples 4611686018427387904 is out of range: expected 2…16777216")) {
            try OptionLimits.check(1 << 62, in: OptionLimits.samples, option: "--samples")
        }
        // NaN is in no range.
        #expect(throws: PipelineError.self) {
            try OptionLimits.check(Double.nan, in: OptionLimits.leaseSeconds, option: "--lease-seconds")
        }
        #expect(throws: PipelineError.self) {
            try OptionLimits.check(Double.infinity, in: OptionLimits.seconds, option: "--grace")
        }
    }
}
