import Foundation
import Queue
import PostgresTestSupport
import Logging
import Pipeline
import Postgres

/// Database helpers shared by the pipeline tests (the executable is `SpectraExecutable`).
enum TestSupport {
    static let logger: Logger = {
        var logger = Logger(label: "spectra.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A fresh database with Spectra's schema.
    static func migratedDatabase() throws -> String {
        let url = try TemporaryDatabase.create(logger: logger)
        _ = try Schema.migrate(url: url, logger: logger)
        return url
    }

    static func count(_ sql: String, url: String) throws -> Int {
        let db = try Connection(url: url)
        return try db.query(SQLQuery("\(unsafeRaw: sql)")).first?.decode("n", as: Int.self) ?? -1
    }
}
