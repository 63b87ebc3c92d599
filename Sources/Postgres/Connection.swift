internal import CLibPQ
import Foundation
import Logging

/// One libpq connection. Not Sendable: use it from one thread (or task) at a time and
/// give each worker thread its own.
public final class Connection {
    private var handle: OpaquePointer?
    /// Receives the server's NOTICE/WARNING messages, so libpq does not print them.
    private let notices: NoticeSink
    /// The logger for this connection's events.
    public let logger: Logger
    /// The server, as a connection string with the password masked.
    public let server: String
    let connectionString: String
    let connectTimeout: Int
    /// Nesting depth of `withTransaction` calls, for savepoint names.
    var transactionDepth = 0

    /// Connects with a libpq connection string or URI; `connect_timeout` is added
    /// unless the string sets one.
    public init(url: String, connectTimeout: Int = 10, logger: Logger? = nil) throws(PostgresError) {
        self.logger = logger ?? Logger(label: "spectra.postgres")
        self.server = ConnectionString.masked(url)
        self.connectionString = url
        self.connectTimeout = connectTimeout
        self.notices = NoticeSink(logger: self.logger)
        handle = try Self.open(url, connectTimeout: connectTimeout, server: server)
        installNoticeReceiver()
        self.logger.debug("connected", metadata: ["server": "\(server)", "pid": "\(backendPID)"])
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    private static func open(_ url: String, connectTimeout: Int, server: String) throws(PostgresError) -> OpaquePointer {
        // Earlier keywords are overridden by those the expanded dbname string sets, so a
        // connect_timeout in `url` wins over ours.
        // UTF8 because every String crosses as UTF-8, whatever the database's encoding.
        let keywords = ["connect_timeout", "fallback_application_name", "client_encoding", "dbname"]
        let values = [String(connectTimeout), "spectra", "UTF8", url]
        let connection: OpaquePointer? = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PostgresError(.connectionFailed, "out of memory creating a connection", server: server)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(connection))
            PQfinish(connection)
            let code: PostgresError.Code = message.contains("timeout expired") ? .timeout : .connectionFailed
            var error = PostgresError(code, "cannot connect: \(message)", server: server)
            if code == .timeout { error.sqlState = "08001" }
            throw error
        }
        return connection
    }

    private func installNoticeReceiver() {
        guard let handle else { return }
        let context = Unmanaged.passUnretained(notices).toOpaque()
        PQsetNoticeReceiver(handle, { context, result in
            guard let context, let result else { return }
            let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
            sink.receive(result)
        }, context)
    }

    /// The server process serving this connection.
    public var backendPID: Int32 { handle.map { PQbackendPID($0) } ?? 0 }

    /// The server version as an integer (150004 for 15.4).
    public var serverVersion: Int { handle.map { Int(PQserverVersion($0)) } ?? 0 }

    /// Whether a transaction block is open (possibly failed) on this connection.
    public var isInTransaction: Bool {
        guard let handle else { return false }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// Whether an open transaction has failed and only accepts ROLLBACK.
    var isInFailedTransaction: Bool {
        handle.map { PQtransactionStatus($0) == PQTRANS_INERROR } ?? false
    }

    /// Whether the connection works, checked by an empty round trip to the server
    /// (it costs one round trip).
    public var isHealthy: Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
        guard let result = PQexec(handle, "") else { return false }
        defer { PQclear(result) }
        return PQresultStatus(result) == PGRES_EMPTY_QUERY && PQstatus(handle) == CONNECTION_OK
    }

    /// Whether libpq considers the connection broken (no round trip).
    public var isClosed: Bool {
        guard let handle else { return true }
        return PQstatus(handle) != CONNECTION_OK
    }

    /// Re-establishes the connection with the same parameters; any open transaction is lost.
    public func reset() throws(PostgresError) {
        if let handle { PQfinish(handle) }
        handle = nil
        handle = try Self.open(connectionString, connectTimeout: connectTimeout, server: server)
        installNoticeReceiver()
        logger.info("reconnected", metadata: ["server": "\(server)", "pid": "\(backendPID)"])
    }

    /// Closes the connection now rather than at deinit; later calls fail with connectionLost.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Runs a query and returns its rows.
    public func query(_ query: SQLQuery) throws(PostgresError) -> [Row] {
        try run(query) { result in Self.rows(of: result) }
    }

    /// Runs a statement and returns the number of rows it affected (0 when not applicable).
    @discardableResult
    public func execute(_ query: SQLQuery) throws(PostgresError) -> Int {
        try run(query) { result in Int(String(cString: PQcmdTuples(result))) ?? 0 }
    }

    /// Runs trusted SQL, possibly several statements, with the simple protocol (no
    /// parameters). For migrations and DDL only: it must never contain user input.
    public func unsafeExecute(_ sql: String) throws(PostgresError) {
        let handle = try liveHandle(statement: nil)
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result, statement: nil)
    }

    private func run<T>(_ query: SQLQuery, _ read: (OpaquePointer) -> T) throws(PostgresError) -> T {
        let handle = try liveHandle(statement: query.reportedName)
        let (sql, binds) = query.render()
        let start = ContinuousClock.now
        let result = Self.execParams(handle, sql, binds)
        defer { PQclear(result) }
        try check(result, statement: query.reportedName)
        logger.trace("statement done", metadata: [
            "statement": "\(query.reportedName)", "elapsed": "\(ContinuousClock.now - start)",
        ])
        return read(result!)
    }

    private func liveHandle(statement: String?) throws(PostgresError) -> OpaquePointer {
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(.connectionLost, "the connection is closed", statement: statement, server: server)
        }
        return handle
    }

    private static func execParams(_ handle: OpaquePointer, _ sql: String, _ binds: [PostgresValue]) -> OpaquePointer? {
        guard !binds.isEmpty else { return PQexecParams(handle, sql, 0, nil, nil, nil, nil, 0) }
        // One buffer holds every value, each NUL-terminated for the text format.
        var storage: [UInt8] = []
        var offsets: [Int?] = []
        for bind in binds {
            if let bytes = bind.bytes {
                offsets.append(storage.count)
                storage += bytes
                storage.append(0)
            } else {
                offsets.append(nil)
            }
        }
        if storage.isEmpty { storage.append(0) }  // all NULL: still need a base address
        let types = binds.map { Oid($0.type.rawValue) }
        let lengths = binds.map { Int32($0.bytes?.count ?? 0) }
        let formats = binds.map { $0.format.rawValue }
        return storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            let pointers: [UnsafePointer<CChar>?] = offsets.map { $0.map { base + $0 } }
            return PQexecParams(handle, sql, Int32(binds.count), types, pointers, lengths, formats, 0)
        }
    }

    /// Throws the error a result carries, or one for a broken connection.
    private func check(_ result: OpaquePointer?, statement: String?) throws(PostgresError) {
        let status = result.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return
        default:
            throw error(from: result, statement: statement)
        }
    }

    private func error(from result: OpaquePointer?, statement: String?) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let lost = handle.map { PQstatus($0) != CONNECTION_OK } ?? true
        let sqlState = field("C")
        let message = field("M") ?? handle.map { Self.trimmed(PQerrorMessage($0)) } ?? "no connection"
        let code: PostgresError.Code = switch sqlState {
        case "57014": .timeout
        case _ where lost: .connectionLost
        default: .queryFailed
        }
        return PostgresError(code, message, sqlState: sqlState, detail: field("D"), hint: field("H"),
                             statement: statement, server: lost ? server : nil)
    }

    private static func rows(of result: OpaquePointer) -> [Row] {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let layout = Row.Layout(
            names: (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) },
            types: (0..<columnCount).map { PostgresType(rawValue: UInt32(PQftype(result, Int32($0)))) })
        var rows: [Row] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<Int32(columnCount) {
                values.append(PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column)))
            }
            rows.append(Row(layout: layout, values: values))
        }
        return rows
    }

    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        // libpq's messages span lines ("server closed the connection unexpectedly\n\tThis
        // probably means…"); one line reads better in logs.
        return String(cString: message).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}

/// Calls `body` with a C array of C strings that stays valid for the call.
private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let duplicates = strings.map { strdup($0) }
    defer { duplicates.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = duplicates.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Routes server notices to the logger. A class so libpq can hold a pointer to it; the
/// connection keeps it alive for as long as the PGconn exists.
final class NoticeSink {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }

    func receive(_ result: OpaquePointer) {
        let severity = PQresultErrorField(result, Int32(Character("V").asciiValue!)).map { String(cString: $0) } ?? "NOTICE"
        let message = PQresultErrorField(result, Int32(Character("M").asciiValue!)).map { String(cString: $0) } ?? ""
        let level: Logger.Level = severity == "WARNING" ? .warning : .debug
        logger.log(level: level, "server \(severity.lowercased()): \(message)")
    }
}
