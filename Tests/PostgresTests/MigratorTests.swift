import Foundation
import SpectraBase
import PostgresTestSupport
import Synchronization
import Testing
@testable import Postgres

/// Numbered migrations: order, checksums, immutability and concurrent migrators.
@Suite struct MigratorTests {
    private func write(_ files: [String: String], to directory: URL) throws {
        for (name, sql) in files {
            try sql.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    private let baseFiles = [
        "0001_create_items.sql": "CREATE TABLE app.items (id bigint PRIMARY KEY, name text NOT NULL);",
        "0002_seed.sql": "INSERT INTO app.items VALUES (1, 'one');\nINSERT INTO app.items VALUES (2, 'two');",
        "0010_add_column.sql": "ALTER TABLE app.items ADD COLUMN note text;\nUPDATE app.items SET note = 'n' || id;",
        "README.md": "not a migration",
    ]

    @Test func appliesInOrderRecordsChecksumsAndIsIdempotent() throws {
        let directory = try makeScratchDirectory("migrations")
        defer { try? FileManager.default.removeItem(at: directory) }
        try write(baseFiles.merging(["0000_schema.sql": "CREATE SCHEMA app;"]) { $1 }, to: directory)
        let connection = try freshConnection()
        let migrator = try Migrator(directory: directory)

        let applied = try migrator.migrate(connection)
        #expect(applied.map(\.version) == [0, 1, 2, 10])
        let notes = try connection.query("SELECT note FROM app.items ORDER BY id").map { try $0.decode("note", as: String.self) }
        #expect(notes == ["n1", "n2"])

        let records = try migrator.applied(connection)
        #expect(records.map(\.name) == ["schema", "create_items", "seed", "add_column"])
        let seedBytes = try Data(contentsOf: directory.appendingPathComponent("0002_seed.sql"))
        #expect(records[2].checksum == SHA256.hexDigest(seedBytes))
        #expect(records.allSatisfy { $0.checksum.count == 64 })

        #expect(try migrator.migrate(connection).isEmpty)
        #expect(try migrator.pending(connection).isEmpty)

        // A new file is applied on its own.
        try write(["0011_more.sql": "INSERT INTO app.items VALUES (3, 'three', 'x');"], to: directory)
        #expect(try Migrator(directory: directory).migrate(connection).map(\.fileName) == ["0011_more.sql"])
    }

    @Test func editedOrMissingMigrationIsRefused() throws {
        let directory = try makeScratchDirectory("migrations-edit")
        defer { try? FileManager.default.removeItem(at: directory) }
        try write(["0001_schema.sql": "CREATE SCHEMA app;", "0002_table.sql": "CREATE TABLE app.t (v int);"], to: directory)
        let connection = try freshConnection()
        try Migrator(directory: directory, schema: "meta").migrate(connection)
        let recorded = try Migrator(directory: directory, schema: "meta").applied(connection)[1].checksum

        try write(["0002_table.sql": "CREATE TABLE app.t (v bigint);"], to: directory)
        let edited = try Migrator(directory: directory, schema: "meta")
        let error = try #require(throws: PostgresError.self) { try edited.migrate(connection) }
        #expect(error.code == .migrationRefused)
        #expect(error.message.contains("0002_table.sql"))
        #expect(error.message.contains(recorded))
        #expect(error.message.contains(edited.migrations[1].checksum))

        try FileManager.default.removeItem(at: directory.appendingPathComponent("0002_table.sql"))
        let missing = try #require(throws: PostgresError.self) {
            try Migrator(directory: directory, schema: "meta").migrate(connection)
        }
        #expect(missing.code == .migrationRefused && missing.message.contains("0002_table.sql"))
    }

    @Test func badFileNamesAndDuplicateNumbersAreRefused() throws {
        for (files, expected) in [
            (["1_short.sql": "select 1;"], "1_short.sql"),
            (["0001 spaced.sql": "select 1;"], "0001 spaced.sql"),
            (["0001_.sql": "select 1;"], "0001_.sql"),
            (["0003_a.sql": "select 1;", "0003_b.sql": "select 2;"], "0003_b.sql"),
        ] {
            let directory = try makeScratchDirectory("migrations-bad")
            defer { try? FileManager.default.removeItem(at: directory) }
            try write(files, to: directory)
            let error = try #require(throws: PostgresError.self) { try Migrator(directory: directory) }
            #expect(error.code == .migrationRefused)
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func failingMigrationRollsBackAndNamesTheFile() throws {
        let connection = try freshConnection()
        let migrator = try Migrator(migrations: [
            Migration(version: 1, name: "ok", sql: "CREATE TABLE a (v int);"),
            Migration(version: 2, name: "broken", sql: "CREATE TABLE b (v int); SELECT * FROM nowhere;"),
        ])
        let error = try #require(throws: PostgresError.self) { try migrator.migrate(connection) }
        #expect(error.sqlState == "42P01")
        #expect(error.statement == "0002_broken.sql")
        #expect(try migrator.applied(connection).map(\.version) == [1])
        // The failed migration's first statement was rolled back with it.
        #expect(try connection.query("SELECT to_regclass('b') IS NULL AS gone")[0].decode("gone", as: Bool.self))
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() throws {
        let url = try TemporaryDatabase.create()
        // Each migration appends a row, so a double application would show as a duplicate.
        let migrations = [Migration(version: 1, name: "log", sql: "CREATE TABLE log (version int);")]
            + (2...8).map { Migration(version: $0, name: "step\($0)", sql: "INSERT INTO log VALUES (\($0)); SELECT pg_sleep(0.01);") }
        let migrator = try Migrator(migrations: migrations)
        let results = Results()
        let threads = (0..<2).map { _ in
            Thread {
                do {
                    let connection = try Connection(url: url)
                    results.append(.success(try migrator.migrate(connection).count))
                } catch {
                    results.append(.failure(error))
                }
            }
        }
        threads.forEach { $0.start() }
        let deadline = Date().addingTimeInterval(30)
        while results.count < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let counts = try results.all.map { try $0.get() }
        #expect(counts.reduce(0, +) == migrations.count)
        let connection = try Connection(url: url)
        let logged = try connection.query("SELECT version FROM log ORDER BY version").map { try $0.decode("version", as: Int.self) }
        #expect(logged == Array(2...8))
    }
}

/// Collects results from threads.
private final class Results: Sendable {
    private let storage = Mutex<[Result<Int, any Error>]>([])
    func append(_ result: Result<Int, any Error>) { storage.withLock { $0.append(result) } }
    var count: Int { storage.withLock { $0.count } }
    var all: [Result<Int, any Error>] { storage.withLock { $0 } }
}
