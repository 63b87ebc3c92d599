import Foundation
import PostgresTestSupport
import Testing
@testable import Postgres

/// Connections survive a server restart (a private TemporaryServer per test).
@Suite struct ReconnectTests {
    @Test func connectionResumesAfterServerRestart() throws {
        let server = try TemporaryServer()
        defer { server.remove() }
        let plain = try Connection(url: server.url)
        let reconnecting = try ReconnectingConnection(url: server.url,
                                                      policy: RetryPolicy(attempts: 20, initialDelay: .milliseconds(50)))
        try reconnecting.execute("CREATE TABLE t (v int)")
        let firstPID = reconnecting.connection.backendPID

        try server.restart()

        // A plain connection reports the loss and can be reset by hand.
        let error = try #require(throws: PostgresError.self) { try plain.query("SELECT 1") }
        #expect(error.isConnectionLoss)
        #expect(!plain.isHealthy)
        try plain.reset()
        #expect(plain.isHealthy)

        // The reconnecting one retries the statement on a new connection.
        #expect(try reconnecting.execute("INSERT INTO t VALUES (\(1))") == 1)
        #expect(reconnecting.connection.backendPID != firstPID)
        try server.restart()
        let total = try reconnecting.withTransaction { tx in
            try tx.execute("INSERT INTO t VALUES (\(2))")
            return try tx.query("SELECT sum(v) AS s FROM t")[0].decode("s", as: Int.self)
        }
        #expect(total == 3)
    }

    @Test func statementsInsideATransactionAreNotRetried() throws {
        let server = try TemporaryServer()
        defer { server.remove() }
        let reconnecting = try ReconnectingConnection(url: server.url,
                                                      policy: RetryPolicy(attempts: 20, initialDelay: .milliseconds(50)))
        try reconnecting.connection.unsafeExecute("BEGIN")
        try server.restart()
        let error = try #require(throws: PostgresError.self) { try reconnecting.execute("SELECT 1") }
        #expect(error.isConnectionLoss)
        // The next operation outside a transaction reconnects.
        #expect(try reconnecting.query("SELECT 1 AS one")[0].decode("one", as: Int.self) == 1)
    }
}
