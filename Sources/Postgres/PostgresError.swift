/// An error from the Postgres module: what failed, the server's SQLSTATE when it sent one,
/// and the statement's name (never its bound values).
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure, independent of the server's SQLSTATE.
    public enum Code: String, Sendable, Equatable {
        /// Could not establish a connection (bad address, refused, authentication, timeout).
        case connectionFailed
        /// An established connection broke while in use.
        case connectionLost
        /// The server rejected a statement; see `sqlState`.
        case queryFailed
        /// A value could not be turned into a bound parameter.
        case encodingFailed
        /// A result value could not be decoded into the requested Swift type.
        case decodingFailed
        /// A statement or an operation ran out of time.
        case timeout
        /// A migration file or the recorded migration history is not acceptable.
        case migrationRefused
        /// Starting, stopping or initializing a server (initdb, pg_ctl) failed.
        case serverControl
        /// A caller passed something unusable (an empty name, an unknown column).
        case invalidArgument
    }

    /// The kind of failure.
    public var code: Code
    /// The five-character SQLSTATE the server reported, if any.
    public var sqlState: String?
    /// The primary human-readable message.
    public var message: String
    /// Secondary detail from the server, with row values redacted.
    public var detail: String?
    /// A suggestion from the server on what to do.
    public var hint: String?
    /// The name of the statement that failed (`SQLQuery.name`), never its bound values.
    public var statement: String?
    /// The server this concerned, as a connection string with any password masked.
    public var server: String?

    /// Creates an error; `detail` is stored with row values redacted.
    public init(
        _ code: Code, _ message: String, sqlState: String? = nil, detail: String? = nil,
        hint: String? = nil, statement: String? = nil, server: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail.map(Self.redactValues)
        self.hint = hint
        self.statement = statement
        self.server = server
    }

    /// True for SQLSTATE 23505 (unique_violation).
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// True for SQLSTATE 23503 (foreign_key_violation).
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    /// True for SQLSTATE 40001 (serialization_failure) and 40P01 (deadlock_detected).
    public var isSerializationFailure: Bool { sqlState == "40001" || sqlState == "40P01" }
    /// True when the connection is unusable: never established, broken, or the server
    /// is shutting down or starting (SQLSTATE class 08, 57P01–57P03).
    public var isConnectionLoss: Bool {
        if code == .connectionFailed || code == .connectionLost { return true }
        guard let state = sqlState else { return false }
        return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
    }

    public var description: String {
        var text = "PostgreSQL \(code.rawValue)"
        if let sqlState { text += " [\(sqlState)]" }
        if let statement { text += " in statement '\(statement)'" }
        text += ": \(message)"
        if let detail { text += " — detail: \(detail)" }
        if let hint { text += " — hint: \(hint)" }
        if let server { text += " (server: \(server))" }
        return text
    }

    /// Returns a copy that names `statement` when it does not name one yet.
    func naming(_ statement: String?) -> PostgresError {
        var copy = self
        if copy.statement == nil { copy.statement = statement }
        return copy
    }

    /// Removes row values from server details such as
    /// `Key (email)=(a@b.c) already exists.` or `Failing row contains (1, secret).`,
    /// because those values are often bound user data that must not reach logs.
    static func redactValues(_ detail: String) -> String {
        var result = detail
        for marker in [")=(", "contains ("] {
            var searchStart = result.startIndex
            while let range = result.range(of: marker, range: searchStart..<result.endIndex) {
                guard let close = matchingParenthesis(in: result, openAt: result.index(before: range.upperBound))
                else { break }
                result.replaceSubrange(range.upperBound..<close, with: "…")
                searchStart = result.index(range.upperBound, offsetBy: 1, limitedBy: result.endIndex) ?? result.endIndex
            }
        }
        return result
    }

    private static func matchingParenthesis(in text: String, openAt open: String.Index) -> String.Index? {
        var depth = 0
        var index = open
        while index < text.endIndex {
            switch text[index] {
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth == 0 { return index }
            default: break
            }
            index = text.index(after: index)
        }
        return nil
    }
}
