import Foundation
import Postgres
import Logging
import Synchronization

/// Remembers the throwaway servers and databases this process made, and removes them
/// when the process exits (atexit) or, for a crashed process, when a later one starts.
enum TemporaryCleanup {
    private struct State: Sendable {
        var servers: [String: EmbeddedServer] = [:]
        var externalDatabases: [(adminURL: String, name: String)] = []
        var hookInstalled = false
    }

    private static let state = Mutex(State())
    static let directoryPrefix = "spectra-pg-"

    /// Test servers come and go by the dozen; only their problems are worth a log line.
    static var quietLogger: Logger {
        var logger = Logger(label: "spectra.postgres")
        logger.logLevel = .warning
        return logger
    }

    /// A new directory under the temporary directory, named after this process so a
    /// later process can tell whether its owner is gone.
    static func makeDirectory() throws(PostgresError) -> URL {
        removeStaleDirectories()
        let name = directoryPrefix + "\(getpid())-" + String(UUID().uuidString.prefix(8)).lowercased()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
        } catch {
            throw PostgresError(.serverControl, "cannot create \(url.path): \(error.localizedDescription)")
        }
        return url
    }

    static func register(_ server: EmbeddedServer, in directory: URL) {
        state.withLock { state in
            state.servers[directory.path] = server
            installHook(&state)
        }
    }

    static func registerExternal(adminURL: String, name: String) {
        state.withLock { state in
            state.externalDatabases.append((adminURL, name))
            installHook(&state)
        }
    }

    /// Stops the server and deletes its directory now.
    static func remove(_ directory: URL) {
        let server = state.withLock { $0.servers.removeValue(forKey: directory.path) }
        if let server { try? server.stop(immediate: true) }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func installHook(_ state: inout State) {
        guard !state.hookInstalled else { return }
        state.hookInstalled = true
        atexit { TemporaryCleanup.removeAll() }
    }

    static func removeAll() {
        let (servers, databases) = state.withLock { state in
            defer { state.servers = [:]; state.externalDatabases = [] }
            return (state.servers, state.externalDatabases)
        }
        // Databases first: one may live on a server stopped below.
        for database in databases {
            guard let admin = try? Connection(url: database.adminURL, connectTimeout: 2) else { continue }
            try? admin.unsafeExecute("DROP DATABASE IF EXISTS \(SQLQuery.quoteIdentifier(database.name)) WITH (FORCE)")
        }
        for (directory, server) in servers {
            try? server.stop(immediate: true)
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Removes the directories (and stops the servers) of test processes that died without
    /// cleaning up, recognized by a process id in the name that no longer runs.
    private static func removeStaleDirectories() {
        let temporary = FileManager.default.temporaryDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix(directoryPrefix) {
            let pidText = name.dropFirst(directoryPrefix.count).prefix { $0 != "-" }
            guard let pid = Int32(pidText), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let directory = temporary.appendingPathComponent(name)
            let server = EmbeddedServer(dataDirectory: directory.appendingPathComponent("data"),
                                        logger: Logger(label: "spectra.postgres"))
            try? server.stop(immediate: true)
            try? FileManager.default.removeItem(at: directory)
        }
    }
}
