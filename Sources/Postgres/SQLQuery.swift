/// A SQL statement whose interpolated values are bound as parameters (`$1`, `$2`, …),
/// never spliced into the text: `"select * from t where id = \(id)"`.
public struct SQLQuery: ExpressibleByStringInterpolation, Sendable, CustomStringConvertible {
    enum Part: Sendable {
        case sql(String)
        case bind(PostgresValue)
    }

    var parts: [Part]
    /// A name for errors and logs (`claim_jobs`); bound values never appear there.
    public var name: String?

    public init(stringLiteral value: String) {
        parts = [.sql(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        parts = stringInterpolation.parts
    }

    /// Names a query for errors and logs: `SQLQuery("select …", name: "claim_jobs")`.
    public init(_ query: SQLQuery, name: String) {
        self = query
        self.name = name
    }

    /// Builds a query from trusted SQL text, for statements assembled at run time.
    /// Never pass text that contains user input; bind values by interpolation instead.
    public init(unsafeSQL sql: String, name: String? = nil) {
        parts = [.sql(sql)]
        self.name = name
    }

    /// A copy carrying `name` for errors and logs.
    public func named(_ name: String) -> SQLQuery {
        var copy = self
        copy.name = name
        return copy
    }

    /// The statement text with `$n` placeholders.
    public var sql: String { render().sql }

    /// The bound values, in placeholder order.
    public var binds: [PostgresValue] { render().binds }

    /// The name, or the SQL text (which holds placeholders, never values).
    public var description: String { name ?? sql }

    /// The name to report in errors: the given name, else the statement's first words.
    var reportedName: String {
        if let name { return name }
        let words = sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).prefix(4)
        return words.joined(separator: " ") + (words.count == 4 ? " …" : "")
    }

    func render() -> (sql: String, binds: [PostgresValue]) {
        var sql = ""
        var binds: [PostgresValue] = []
        for part in parts {
            switch part {
            case .sql(let text): sql += text
            case .bind(let value):
                binds.append(value)
                sql += "$\(binds.count)"
            }
        }
        return (sql, binds)
    }

    /// Concatenates two queries, renumbering the right-hand side's parameters.
    public static func + (lhs: SQLQuery, rhs: SQLQuery) -> SQLQuery {
        var result = lhs
        result.parts += rhs.parts
        return result
    }

    /// Collects literal text and interpolated values.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var parts: [Part] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            parts.reserveCapacity(2 * interpolationCount + 1)
        }

        public mutating func appendLiteral(_ literal: String) {
            parts.append(.sql(literal))
        }

        /// Binds a value as the next parameter.
        public mutating func appendInterpolation<T: PostgresEncodable>(_ value: T) {
            parts.append(.bind(value.postgresValue))
        }

        /// Binds an optional value; nil becomes NULL.
        public mutating func appendInterpolation<T: PostgresEncodable>(_ value: T?) {
            parts.append(.bind(value.postgresValue))
        }

        /// Binds an already encoded value.
        public mutating func appendInterpolation(value: PostgresValue) {
            parts.append(.bind(value))
        }

        /// Splices a nested query, binding its values in turn.
        public mutating func appendInterpolation(_ query: SQLQuery) {
            parts += query.parts
        }

        /// Splices trusted SQL text (a schema-qualified table name) as it is.
        /// Never pass user input: it is not quoted or checked.
        public mutating func appendInterpolation(unsafeRaw sql: String) {
            parts.append(.sql(sql))
        }

        /// Splices an identifier, double-quoted so any text is safe as a name.
        public mutating func appendInterpolation(identifier: String) {
            parts.append(.sql(SQLQuery.quoteIdentifier(identifier)))
        }
    }

    /// Double-quotes an identifier (`my "table"` → `"my ""table"""`); a dot is kept
    /// inside the name, so quote each part of `schema.table` separately.
    public static func quoteIdentifier(_ identifier: String) -> String {
        "\"" + identifier.replacingAll(of: "\"", with: "\"\"")
            .replacingAll(of: "\u{0}", with: "") + "\""
    }
}

extension String {
    fileprivate func replacingAll(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
