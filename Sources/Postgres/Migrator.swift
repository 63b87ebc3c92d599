import SpectraBase
import Foundation
import Logging

/// A migration recorded as applied in `<schema>.schema_migrations`.
public struct AppliedMigration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let checksum: String
    public let appliedAt: Date
}

/// Applies numbered, immutable migrations in order, each in its own transaction, and
/// refuses to run when an applied migration was edited or removed.
///
/// Safe with concurrent migrators: every transaction first takes a transaction-level
/// advisory lock (`pg_advisory_xact_lock`), never a session lock, so it also works
/// through PgBouncer in transaction mode.
public struct Migrator: Sendable {
    /// The migrations, ordered by version.
    public let migrations: [Migration]
    /// The schema holding `schema_migrations`; created when missing.
    public let schema: String
    /// Where the migrations came from, for messages.
    public let source: String
    private let logger: Logger

    /// Loads `NNNN_name.sql` files from `directory`.
    public init(directory: URL, schema: String = "spectra", logger: Logger? = nil) throws(PostgresError) {
        try self.init(migrations: try Migration.load(from: directory), schema: schema,
                      source: directory.path, logger: logger)
    }

    /// Uses migrations built in code; versions must be unique.
    public init(migrations: [Migration], schema: String = "spectra", source: String = "the migration list",
                logger: Logger? = nil) throws(PostgresError) {
        guard !schema.isEmpty else { throw PostgresError(.invalidArgument, "the migration schema name is empty") }
        var seen: [Int: String] = [:]
        for migration in migrations {
            if let other = seen[migration.version] {
                throw PostgresError(.migrationRefused,
                    "migrations \(other) and \(migration.fileName) share number \(migration.version)")
            }
            seen[migration.version] = migration.fileName
        }
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.schema = schema
        self.source = source
        self.logger = logger ?? Logger(label: "spectra.postgres")
    }

    private var table: String { SQLQuery.quoteIdentifier(schema) + ".schema_migrations" }

    /// The advisory lock key, derived from the schema so different schemas migrate independently.
    var lockKey: Int64 {
        let digest = SHA256.hash(Array("spectra.schema_migrations:\(schema)".utf8))
        return digest.prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    /// Applies every pending migration in order and returns those this call applied.
    @discardableResult
    public func migrate(_ connection: Connection) throws(PostgresError) -> [Migration] {
        let pending = try transaction(connection) { () throws(PostgresError) in
            try lock(connection)
            try connection.unsafeExecute("""
                CREATE SCHEMA IF NOT EXISTS \(SQLQuery.quoteIdentifier(schema));
                CREATE TABLE IF NOT EXISTS \(table) (
                    version bigint PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """)
            return try pendingAfterVerifying(connection)
        }
        var applied: [Migration] = []
        for migration in pending {
            let didApply = try transaction(connection) { () throws(PostgresError) in
                try lock(connection)
                // Another migrator may have applied it while this one waited for the lock.
                guard try pendingAfterVerifying(connection).contains(migration) else { return false }
                let start = ContinuousClock.now
                do throws(PostgresError) {
                    try connection.unsafeExecute(migration.sql)
                } catch {
                    var error = error
                    error.message = "migration \(migration.fileName) failed: " + error.message
                    error.statement = migration.fileName
                    throw error
                }
                try connection.execute(SQLQuery("""
                    INSERT INTO \(unsafeRaw: table) (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """, name: "record_migration"))
                logger.info("applied migration", metadata: [
                    "migration": "\(migration.fileName)", "elapsed": "\(ContinuousClock.now - start)",
                ])
                return true
            }
            if didApply { applied.append(migration) }
        }
        return applied
    }

    /// The migrations recorded as applied, by version; empty when the table does not exist.
    public func applied(_ connection: Connection) throws(PostgresError) -> [AppliedMigration] {
        let exists = try connection.query("SELECT to_regclass(\(table)) IS NOT NULL AS present")
        guard try exists.first?.decode("present", as: Bool.self) == true else { return [] }
        return try connection.query(SQLQuery("""
            SELECT version, name, checksum, applied_at FROM \(unsafeRaw: table) ORDER BY version
            """, name: "applied_migrations")).map { row throws(PostgresError) in
            AppliedMigration(version: try row.decode("version"), name: try row.decode("name"),
                             checksum: try row.decode("checksum"), appliedAt: try row.decode("applied_at"))
        }
    }

    /// The migrations not yet applied, after checking the applied ones are unchanged.
    public func pending(_ connection: Connection) throws(PostgresError) -> [Migration] {
        try pendingAfterVerifying(connection)
    }

    private func pendingAfterVerifying(_ connection: Connection) throws(PostgresError) -> [Migration] {
        let applied = try applied(connection)
        let byVersion = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for record in applied {
            let recordedFile = Migration.fileName(version: record.version, name: record.name)
            guard let migration = byVersion[record.version] else {
                throw PostgresError(.migrationRefused,
                    "migration \(recordedFile) (version \(record.version), checksum \(record.checksum)) "
                    + "was applied but is missing from \(source); migrations are never removed")
            }
            guard migration.checksum == record.checksum else {
                throw PostgresError(.migrationRefused,
                    "migration \(migration.fileName) changed after it was applied: recorded checksum "
                    + "\(record.checksum), file checksum \(migration.checksum); migrations are immutable, "
                    + "so restore the file and put the change in a new migration", statement: migration.fileName)
            }
        }
        let done = Set(applied.map(\.version))
        return migrations.filter { !done.contains($0.version) }
    }

    private func lock(_ connection: Connection) throws(PostgresError) {
        try connection.execute(SQLQuery("SELECT pg_advisory_xact_lock(\(lockKey))", name: "migration_lock"))
    }

    private func transaction<T>(_ connection: Connection, _ body: () throws(PostgresError) -> T) throws(PostgresError) -> T {
        do {
            return try connection.withTransaction { _ in try body() }
        } catch let error as PostgresError {
            throw error
        } catch {
            throw PostgresError(.queryFailed, "migration transaction failed: \(error)")
        }
    }
}
