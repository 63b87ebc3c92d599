import Testing
@testable import SpectralMetrics

@Suite struct SpectralMetricsSmokeTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
