/// Placeholder owned by the Postgres work in progress; replaced by the real error type.
public struct PostgresError: Error, Sendable {
    public let message: String
}
