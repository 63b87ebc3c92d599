import SpectraBase
import Foundation
import Logging

/// A private PostgreSQL server in a data directory of its own, reachable only through a
/// Unix socket. Created with initdb on first start; run as the `postgres` user when the
/// process is root (PostgreSQL refuses to run as root).
public struct EmbeddedServer: Sendable {
    /// Whether the server exists and runs.
    public enum Status: Sendable, Equatable, CustomStringConvertible {
        case notInitialized
        case stopped
        case running(pid: Int32)

        public var description: String {
            switch self {
            case .notInitialized: "not initialized"
            case .stopped: "stopped"
            case .running(let pid): "running (pid \(pid))"
            }
        }
    }

    /// The cluster's data directory (absolute).
    public let dataDirectory: URL
    /// The directory holding the server's Unix socket (absolute).
    public let socketDirectory: URL
    /// The database `url` points at; created on start when missing.
    public let database: String
    /// The superuser initdb creates; clients connect as this user.
    public let user: String
    /// The port number, which here only names the socket file (`.s.PGSQL.<port>`).
    public let port: Int
    /// When false, fsync and synchronous commit are off: much faster, for tests only.
    public let durable: Bool
    let logger: Logger

    /// Unix socket paths are limited to 107 bytes on Linux.
    static let maxSocketPathLength = 107

    /// Describes a server; nothing happens until `start`. The socket goes in the data
    /// directory unless `socketDirectory` is given; when that path is too long for a
    /// socket, a short directory under /tmp derived from the data directory is used.
    public init(dataDirectory: URL, socketDirectory: URL? = nil, database: String = "spectra",
                user: String = "spectra", port: Int = 5432, durable: Bool = true, logger: Logger? = nil) {
        let logger = logger ?? Logger(label: "spectra.postgres")
        let data = dataDirectory.standardizedFileURL
        var socket = (socketDirectory ?? data).standardizedFileURL
        let socketFile = socket.path + "/.s.PGSQL.\(port)"
        if socketFile.utf8.count > Self.maxSocketPathLength {
            let short = "/tmp/spectra-" + String(SHA256.hexDigest(Array(data.path.utf8)).prefix(12))
            logger.notice("socket path too long for a Unix socket; using a short directory instead", metadata: [
                "requested": "\(socket.path)", "bytes": "\(socketFile.utf8.count)", "using": "\(short)",
            ])
            socket = URL(fileURLWithPath: short)
        }
        self.dataDirectory = data
        self.socketDirectory = socket
        self.database = database
        self.user = user
        self.port = port
        self.durable = durable
        self.logger = logger
    }

    /// A libpq URI for `database`, accepted by `psql "$URL"`.
    public var url: String { url(database: database) }

    /// A libpq URI for another database on this server.
    public func url(database: String) -> String {
        "postgresql:///\(ConnectionString.percentEncoded(database))?host=\(ConnectionString.percentEncoded(socketDirectory.path))"
            + "&port=\(port)&user=\(ConnectionString.percentEncoded(user))"
    }

    /// The server's log file.
    public var logFile: URL { dataDirectory.appendingPathComponent("server.log") }

    /// Whether the server is initialized and running, from its PID file.
    public func status() -> Status {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) else {
            return .notInitialized
        }
        guard let text = try? String(contentsOf: dataDirectory.appendingPathComponent("postmaster.pid"), encoding: .utf8),
              let firstLine = text.split(separator: "\n").first, let pid = Int32(firstLine), pid > 0 else {
            return .stopped
        }
        // A PID file left by a crash names a process that no longer exists.
        return kill(pid, 0) == 0 || errno == EPERM ? .running(pid: pid) : .stopped
    }

    /// Initializes the cluster if needed, starts it if it is not running, waits until it
    /// accepts connections and creates `database` if missing. Safe to call repeatedly.
    public func start(timeout: Duration = .seconds(60)) throws(PostgresError) {
        if status() == .notInitialized { try checkEmptyForInitdb() }
        let owner = try ServerOwner.current()
        try owner.prepare(directory: dataDirectory, purpose: "data directory")
        try owner.prepare(directory: socketDirectory, purpose: "socket directory")
        if status() == .notInitialized { try initialize(owner: owner, timeout: timeout) }
        if case .running = status() {
            logger.debug("server already running", metadata: ["data": "\(dataDirectory.path)"])
        } else {
            try launch(owner: owner, timeout: timeout)
        }
        try createDatabaseIfMissing(database, timeout: timeout)
    }

    /// `start` with a timeout in seconds.
    public func start(timeout seconds: TimeInterval) throws(PostgresError) {
        try start(timeout: .milliseconds(Int64(seconds * 1000)))
    }

    /// Stops the server (fast shutdown: clients are disconnected); does nothing when it
    /// is not running. `immediate` skips the shutdown checkpoint, for throwaway servers.
    public func stop(immediate: Bool = false, timeout: Duration = .seconds(60)) throws(PostgresError) {
        guard case .running = status() else { return }
        let owner = try ServerOwner.current()
        let outcome = try Subprocess.run(try Subprocess.findPostgresProgram("pg_ctl"), [
            "-D", dataDirectory.path, "-m", immediate ? "immediate" : "fast", "-w",
            "-t", String(max(1, Int(timeout.seconds))), "stop",
        ], as: owner.runAs, timeout: timeout + .seconds(5))
        guard outcome.status == 0 else {
            throw PostgresError(.serverControl, "pg_ctl stop failed for \(dataDirectory.path): \(outcome.output)")
        }
        logger.info("server stopped", metadata: ["data": "\(dataDirectory.path)"])
    }

    /// Creates database `name` unless it exists; concurrent calls are safe.
    public func createDatabaseIfMissing(_ name: String, timeout: Duration = .seconds(30)) throws(PostgresError) {
        let admin = try Connection.connect(url: url(database: "postgres"), connectTimeout: 5,
                                           attempts: 30, initialDelay: .milliseconds(50),
                                           maxDelay: .milliseconds(500), logger: logger)
        let exists = try admin.query(SQLQuery("SELECT 1 FROM pg_database WHERE datname = \(name)", name: "database_exists"))
        guard exists.isEmpty else { return }
        do {
            try admin.unsafeExecute("CREATE DATABASE \(SQLQuery.quoteIdentifier(name))")
            logger.info("created database", metadata: ["database": "\(name)"])
        } catch where error.sqlState == "42P04" || error.isUniqueViolation {
            // Another process created it between the check and the CREATE.
        }
    }

    private func checkEmptyForInitdb() throws(PostgresError) {
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory.path)) ?? []
        guard contents.isEmpty else {
            throw PostgresError(.serverControl,
                "\(dataDirectory.path) is not empty but holds no PostgreSQL cluster (no PG_VERSION); "
                + "choose an empty or missing directory")
        }
    }

    private func initialize(owner: ServerOwner, timeout: Duration) throws(PostgresError) {
        try checkEmptyForInitdb()
        var arguments = ["-D", dataDirectory.path, "-U", user, "-A", "trust", "-E", "UTF8", "--locale=C"]
        if !durable { arguments.append("--no-sync") }
        let start = ContinuousClock.now
        let outcome = try Subprocess.run(try Subprocess.findPostgresProgram("initdb"), arguments,
                                         as: owner.runAs, timeout: timeout)
        guard outcome.status == 0 else {
            throw PostgresError(.serverControl, "initdb failed for \(dataDirectory.path) (exit \(outcome.status)): \(outcome.output)")
        }
        logger.info("initialized cluster", metadata: [
            "data": "\(dataDirectory.path)", "elapsed": "\(ContinuousClock.now - start)",
        ])
    }

    private func launch(owner: ServerOwner, timeout: Duration) throws(PostgresError) {
        // pg_ctl hands these to the server through /bin/sh, hence the quoting; the
        // empty listen_addresses turns TCP off, and socket permissions 0700 keep other
        // local users out of a trust-authenticated server.
        var options = [
            "-k", Subprocess.shellQuoted(socketDirectory.path), "-p", String(port),
            "-c", "listen_addresses=''", "-c", "unix_socket_permissions=0700",
        ]
        if !durable {
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        }
        let start = ContinuousClock.now
        let outcome = try Subprocess.run(try Subprocess.findPostgresProgram("pg_ctl"), [
            "-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", String(max(1, Int(timeout.seconds))),
            "-o", options.joined(separator: " "), "start",
        ], as: owner.runAs, timeout: timeout + .seconds(5))
        guard outcome.status == 0 else {
            let log = Subprocess.tail(of: logFile, lines: 15) ?? "(no server log)"
            throw PostgresError(.serverControl,
                "pg_ctl start failed for \(dataDirectory.path) (exit \(outcome.status)): \(outcome.output)\n"
                + "last lines of \(logFile.path):\n\(log)")
        }
        logger.info("server started", metadata: [
            "data": "\(dataDirectory.path)", "socket": "\(socketDirectory.path)",
            "elapsed": "\(ContinuousClock.now - start)",
        ])
    }
}
