import Foundation
import Logging
import PostgresTestSupport
import Testing
import Queue

/// sql/schema.sql is the schema the migrations leave, so a reader sees today's protocol
/// in one file. It fails when a migration lands without regenerating the file.
@Suite struct SchemaFileTests {
    static let file = ProtocolTests.migrations.deletingLastPathComponent().appendingPathComponent(Schema.currentFileName)

    @Test func schemaFileMatchesTheMigrations() throws {
        var logger = Logger(label: "spectra.tests")
        logger.logLevel = .warning
        let url = try TemporaryDatabase.create(logger: logger)
        _ = try Schema.migrate(url: url, logger: logger)
        let current = try Schema.currentSQL(url: url)
        #expect(current.contains("CREATE FUNCTION spectra.claim_jobs"), "the dump holds the protocol's functions")
        if ProcessInfo.processInfo.environment["SPECTRA_UPDATE_SCHEMA"] == "1" {
            try current.write(to: Self.file, atomically: true, encoding: .utf8)
        }
        let committed = (try? String(contentsOf: Self.file, encoding: .utf8)) ?? ""
        #expect(committed == current, """
            sql/schema.sql is stale: regenerate it with `scripts/spectra db schema > sql/schema.sql` \
            (or SPECTRA_UPDATE_SCHEMA=1 swift test --filter SchemaFileTests)
            """)
    }
}
