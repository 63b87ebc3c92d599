import Foundation

/// One result row: its values as PostgreSQL's text output, decoded on demand by column
/// name or index.
public struct Row: Sendable {
    /// Column names and types, shared by every row of one result.
    struct Layout: Sendable {
        let names: [String]
        let types: [PostgresType]
        let indexByName: [String: Int]

        init(names: [String], types: [PostgresType]) {
            self.names = names
            self.types = types
            // The first column wins for duplicate names, as in PQfnumber.
            var index: [String: Int] = [:]
            for (offset, name) in names.enumerated() where index[name] == nil { index[name] = offset }
            indexByName = index
        }
    }

    let layout: Layout
    let values: [String?]

    init(layout: Layout, values: [String?]) {
        self.layout = layout
        self.values = values
    }

    /// Column names in result order.
    public var columns: [String] { layout.names }

    /// Number of columns.
    public var count: Int { values.count }

    /// The raw text of a column, nil for NULL.
    public func text(_ column: String) throws(PostgresError) -> String? {
        values[try index(of: column)]
    }

    /// Whether a column is NULL.
    public func isNull(_ column: String) throws(PostgresError) -> Bool {
        values[try index(of: column)] == nil
    }

    /// Decodes a column by name: `try row.decode("id", as: Int64.self)`.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws(PostgresError) -> T {
        try decode(at: try index(of: column), as: T.self)
    }

    /// Decodes a column by zero-based index.
    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws(PostgresError) -> T {
        guard values.indices.contains(column) else {
            throw PostgresError(.invalidArgument,
                "column index \(column) is out of range; the row has \(values.count) columns")
        }
        return try decode(at: column, as: T.self)
    }

    /// Decodes a json/jsonb (or text) column into a `Decodable`; NULL decodes as JSON
    /// `null`, so it succeeds only for an Optional type.
    public func decodeJSON<T: Decodable>(_ column: String, as type: T.Type = T.self,
                                         decoder: JSONDecoder = JSONDecoder()) throws(PostgresError) -> T {
        let index = try index(of: column)
        do {
            return try JSON(raw: values[index] ?? "null").decode(T.self, decoder: decoder)
        } catch {
            throw annotated(error, index: index, as: T.self)
        }
    }

    private func decode<T: PostgresDecodable>(at index: Int, as type: T.Type) throws(PostgresError) -> T {
        guard let text = values[index] else {
            if let null = T.postgresNull { return null }
            throw PostgresError(.decodingFailed,
                "column \"\(layout.names[index])\" is NULL; decode it as \(T.self)? to accept NULL")
        }
        do {
            return try T(postgresText: text, type: layout.types[index])
        } catch {
            throw annotated(error, index: index, as: T.self)
        }
    }

    private func annotated<T>(_ error: PostgresError, index: Int, as type: T.Type) -> PostgresError {
        var error = error
        error.message = "column \"\(layout.names[index])\" (\(layout.types[index])) as \(T.self): " + error.message
        return error
    }

    private func index(of column: String) throws(PostgresError) -> Int {
        guard let index = layout.indexByName[column] else {
            throw PostgresError(.invalidArgument,
                "no column \"\(column)\" in the result; columns are \(layout.names.joined(separator: ", "))")
        }
        return index
    }
}
