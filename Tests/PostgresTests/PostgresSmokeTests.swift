import Testing
@testable import Postgres

@Suite struct PostgresSmokeTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
