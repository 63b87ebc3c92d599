import Foundation
import Testing
@testable import Postgres

/// Statements, transactions and errors on a live connection.
@Suite struct ConnectionTests {
    struct Abort: Error {}

    @Test func injectionAttemptStaysAString() throws {
        let connection = try freshConnection()
        try connection.unsafeExecute("CREATE TABLE users (name text)")
        let hostile = "x'); DROP TABLE users; --"
        try connection.execute("INSERT INTO users VALUES (\(hostile))")
        let rows = try connection.query("SELECT name FROM users WHERE name = \(hostile)")
        #expect(try rows.map { try $0.decode("name", as: String.self) } == [hostile])
    }

    @Test func transactionCommitsOrRollsBack() throws {
        let connection = try freshConnection()
        try connection.unsafeExecute("CREATE TABLE t (v int)")
        try connection.withTransaction { tx in try tx.execute("INSERT INTO t VALUES (\(1))") }
        #expect(throws: Abort.self) {
            try connection.withTransaction { tx in
                try tx.execute("INSERT INTO t VALUES (\(2))")
                throw Abort()
            }
        }
        #expect(!connection.isInTransaction)
        let values = try connection.query("SELECT v FROM t ORDER BY v").map { try $0.decode("v", as: Int.self) }
        #expect(values == [1])
    }

    @Test func nestedTransactionsUseSavepoints() throws {
        let connection = try freshConnection()
        try connection.unsafeExecute("CREATE TABLE t (v int)")
        try connection.withTransaction { tx in
            try tx.execute("INSERT INTO t VALUES (\(1))")
            _ = try? tx.withTransaction { inner -> Void in
                try inner.execute("INSERT INTO t VALUES (\(2))")
                throw Abort()
            }
            try tx.withTransaction { inner in try inner.execute("INSERT INTO t VALUES (\(3))") }
        }
        let values = try connection.query("SELECT v FROM t ORDER BY v").map { try $0.decode("v", as: Int.self) }
        #expect(values == [1, 3])
    }

    @Test func caughtStatementErrorStillFailsTheTransaction() throws {
        let connection = try freshConnection()
        try connection.unsafeExecute("CREATE TABLE t (v int)")
        let error = try #require(throws: PostgresError.self) {
            try connection.withTransaction { tx in
                try tx.execute("INSERT INTO t VALUES (\(1))")
                _ = try? tx.query("SELECT 1/0")
            }
        }
        #expect(error.sqlState == "25P02")
        #expect(try connection.query("SELECT count(*) AS n FROM t")[0].decode("n", as: Int.self) == 0)
    }

    @Test func uniqueViolationNamesStatementNotValues() throws {
        let connection = try freshConnection()
        try connection.unsafeExecute("CREATE TABLE accounts (email text UNIQUE)")
        let secret = "alice-secret@example.com"
        try connection.execute(SQLQuery("INSERT INTO accounts VALUES (\(secret))", name: "insert_account"))
        let error = try #require(throws: PostgresError.self) {
            try connection.execute(SQLQuery("INSERT INTO accounts VALUES (\(secret))", name: "insert_account"))
        }
        #expect(error.isUniqueViolation)
        #expect(error.sqlState == "23505")
        #expect(error.code == .queryFailed)
        #expect(error.statement == "insert_account")
        #expect(!error.description.contains(secret))
        #expect(!"\(error.detail ?? "")".contains(secret))
        #expect(error.description.contains("insert_account"))
        // The connection is usable afterwards.
        #expect(try connection.query("SELECT 1 AS one")[0].decode("one", as: Int.self) == 1)
    }

    @Test func executeCountsRowsAndUnsafeExecuteRunsScripts() throws {
        let connection = try freshConnection()
        try connection.unsafeExecute("CREATE TABLE t (v int); INSERT INTO t SELECT generate_series(1, 10);")
        #expect(try connection.execute("UPDATE t SET v = v + 1 WHERE v > \(5)") == 5)
        #expect(try connection.execute("DELETE FROM t") == 10)
        #expect(try connection.execute("CREATE TABLE u (x int)") == 0)
    }

    @Test func statementTimeoutIsATimeout() throws {
        let connection = try freshConnection()
        try connection.execute("SET statement_timeout = 50")
        let error = try #require(throws: PostgresError.self) { try connection.query("SELECT pg_sleep(5)") }
        #expect(error.code == .timeout)
        #expect(error.sqlState == "57014")
    }

    @Test func decodingErrorsNameTheColumn() throws {
        let connection = try freshConnection()
        let row = try #require(try connection.query("SELECT 'abc' AS word, 3000000000 AS big").first)
        let error = try #require(throws: PostgresError.self) { try row.decode("word", as: Int.self) }
        #expect(error.code == .decodingFailed && error.message.contains("\"word\""))
        #expect(throws: PostgresError.self) { try row.decode("big", as: Int32.self) }
        let missing = try #require(throws: PostgresError.self) { try row.decode("nope", as: Int.self) }
        #expect(missing.message.contains("word, big"))
    }

    @Test func connectionFailureMasksPassword() throws {
        let directory = try makeScratchDirectory("nosock")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = "postgresql://spectra:hunter2@/spectra?host=\(directory.path)"
        let error = try #require(throws: PostgresError.self) { try Connection(url: url, connectTimeout: 2) }
        #expect(error.code == .connectionFailed)
        #expect(error.isConnectionLoss)
        #expect(!error.description.contains("hunter2"))
        #expect(error.description.contains("spectra:***@"))
        // Retrying a missing server gives up after the given attempts.
        let start = ContinuousClock.now
        #expect(throws: PostgresError.self) {
            try Connection.connect(url: url, attempts: 3, initialDelay: .milliseconds(10), maxDelay: .milliseconds(20))
        }
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func healthAndClose() throws {
        let connection = try freshConnection()
        #expect(connection.isHealthy)
        #expect(connection.serverVersion >= 100_000)
        connection.close()
        #expect(!connection.isHealthy)
        let error = try #require(throws: PostgresError.self) { try connection.query("SELECT 1") }
        #expect(error.code == .connectionLost)
    }
}
