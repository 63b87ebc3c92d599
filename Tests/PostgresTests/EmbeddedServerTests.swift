import Foundation
import PostgresTestSupport
import Testing
@testable import Postgres

/// The embedded server's life cycle, driven the way the CLI drives it.
@Suite struct EmbeddedServerTests {
    private func psql(_ url: String, _ sql: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [url, "-XAtq", "-c", sql]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func lifecycleStatusPsqlAndLongSocketPath() throws {
        let root = try makeScratchDirectory("embedded")
        // Long enough that the socket path would pass the 107-byte limit.
        let data = root.appendingPathComponent(String(repeating: "d", count: 90)).appendingPathComponent("pgdata")
        let server = EmbeddedServer(dataDirectory: data, database: "spectra", durable: false)
        defer {
            try? server.stop(immediate: true)
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: server.socketDirectory)
        }
        #expect(server.socketDirectory.path.hasPrefix("/tmp/spectra-"))
        #expect(server.url.hasPrefix("postgresql:///spectra?host=/tmp/spectra-"))
        #expect(server.status() == .notInitialized)

        try server.start()
        guard case .running(let pid) = server.status() else { Issue.record("not running after start"); return }
        try server.start()  // idempotent: same server keeps running
        #expect(server.status() == .running(pid: pid))

        if FileManager.default.isExecutableFile(atPath: "/usr/bin/psql") {
            let result = try psql(server.url, "select current_database() || ' ' || current_user")
            #expect(result.status == 0)
            #expect(result.output == "spectra spectra")
        }
        let connection = try Connection(url: server.url)
        try connection.unsafeExecute("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42);")
        connection.close()

        try server.stop()
        #expect(server.status() == .stopped)
        try server.stop()  // stopping a stopped server does nothing

        // A start that fails reports the end of the server log.
        let config = data.appendingPathComponent("postgresql.auto.conf")
        let original = try String(contentsOf: config, encoding: .utf8)
        try (original + "\nshared_buffers = 'lots'\n").write(to: config, atomically: false, encoding: .utf8)
        let error = try #require(throws: PostgresError.self) { try server.start(timeout: .seconds(20)) }
        #expect(error.code == .serverControl)
        #expect(error.message.contains("shared_buffers"))
        try original.write(to: config, atomically: false, encoding: .utf8)

        try server.start()
        let reopened = try Connection(url: server.url)
        #expect(try reopened.query("SELECT v FROM kept")[0].decode("v", as: Int.self) == 42)
    }

    @Test func refusesANonEmptyDirectoryWithoutACluster() throws {
        let root = try makeScratchDirectory("embedded-junk")
        defer { try? FileManager.default.removeItem(at: root) }
        try "junk".write(to: root.appendingPathComponent("file.txt"), atomically: true, encoding: .utf8)
        let server = EmbeddedServer(dataDirectory: root)
        let error = try #require(throws: PostgresError.self) { try server.start() }
        #expect(error.code == .serverControl)
        #expect(error.message.contains("not empty"))
    }

    @Test(.enabled(if: geteuid() == 0, "only root runs the server as the postgres user"))
    func rootExplainsAnUnreachableDirectory() throws {
        let root = try makeScratchDirectory("embedded-locked")
        defer { try? FileManager.default.removeItem(at: root) }
        let locked = root.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        let server = EmbeddedServer(dataDirectory: locked.appendingPathComponent("data"))
        let error = try #require(throws: PostgresError.self) { try server.start() }
        #expect(error.code == .serverControl)
        #expect(error.message.contains(locked.path))
        #expect(error.message.contains("postgres"))
    }

    @Test func temporaryDatabasesAreFreshAndDistinct() throws {
        let first = try TemporaryDatabase.create()
        let second = try TemporaryDatabase.create()
        #expect(first != second)
        let connection = try Connection(url: first)
        let name = try connection.query("SELECT current_database() AS name")[0].decode("name", as: String.self)
        #expect(name.hasPrefix("spectra_test_"))
        let tables = try connection.query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'")
        #expect(try tables[0].decode("n", as: Int.self) == 0)
    }
}

/// The DATABASE_URL path of TemporaryDatabase, pointed at the private test server.
@Suite struct ExternalTemporaryDatabaseTests {
    @Test func createsADatabaseOnAGivenServer() throws {
        let base = try TemporaryDatabase.create()
        let url = try TemporaryDatabase.create(onServer: base)
        #expect(url != base)
        let connection = try Connection(url: url)
        let name = try connection.query("SELECT current_database() AS name")[0].decode("name", as: String.self)
        #expect(name.hasPrefix("spectra_test_"))
        #expect(url.contains(name))
    }
}
