import Testing
@testable import Checkpoints

@Suite struct CheckpointsSmokeTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
