import Foundation
import Logging
import Synchronization

/// Fresh, empty databases for tests: on the server named by `DATABASE_URL` when it is
/// set, else on one private server per process, started on first use and removed at exit.
public enum TemporaryDatabase {
    private static let shared = Mutex<EmbeddedServer?>(nil)

    /// Creates a database named `spectra_test_<random>` and returns its URL.
    public static func create(logger: Logger? = nil) throws(PostgresError) -> String {
        let logger = logger ?? Logger(label: "spectra.postgres")
        let name = "spectra_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        if let external = ProcessInfo.processInfo.environment["DATABASE_URL"], !external.isEmpty {
            let admin = try Connection.connect(url: external, logger: logger)
            try admin.unsafeExecute("CREATE DATABASE \(SQLQuery.quoteIdentifier(name))")
            TemporaryCleanup.registerExternal(adminURL: external, name: name)
            return ConnectionString.replacingDatabase(in: external, with: name)
        }
        let server = try sharedServer(logger: logger)
        try server.createDatabaseIfMissing(name)
        return server.url(database: name)
    }

    /// The process's private server, started on first call; callers wait while it starts.
    static func sharedServer(logger: Logger) throws(PostgresError) -> EmbeddedServer {
        try shared.withLock { (server: inout EmbeddedServer?) throws(PostgresError) -> EmbeddedServer in
            if let server { return server }
            let directory = try TemporaryCleanup.makeDirectory()
            let fresh = EmbeddedServer(dataDirectory: directory.appendingPathComponent("data"),
                                       database: "postgres", durable: false, logger: logger)
            TemporaryCleanup.register(fresh, in: directory)
            do throws(PostgresError) {
                try fresh.start()
            } catch {
                TemporaryCleanup.remove(directory)
                throw error
            }
            server = fresh
            return fresh
        }
    }
}
