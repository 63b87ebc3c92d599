import Testing
@testable import Pipeline

@Suite struct PipelineSmokeTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
