import Testing
@testable import Queue

@Suite struct QueueSmokeTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
