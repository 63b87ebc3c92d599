import Postgres

/// Operator controls over a run's jobs and the dependency graph: thin calls to the SQL
/// functions of migrations 0004 and 0005. Each returns how many jobs it changed; an
/// unknown run or job is an error from the database that names it.
public struct RunControls: Sendable {
    public init() {}

    /// Stops handing out the run's jobs; running ones finish, released ones stay paused.
    public func pause(run: Int64, on connection: Connection) throws(PostgresError) -> Int {
        try count(connection, SQLQuery("select spectra.pause_run(\(run)) as n", name: "pause_run"))
    }

    /// Makes a paused run's jobs claimable again.
    public func resume(run: Int64, on connection: Connection) throws(PostgresError) -> Int {
        try count(connection, SQLQuery("select spectra.resume_run(\(run)) as n", name: "resume_run"))
    }

    /// Discards the run's unfinished jobs; running ones lose their lease and write nothing.
    public func cancel(run: Int64, on connection: Connection) throws(PostgresError) -> Int {
        try count(connection, SQLQuery("select spectra.cancel_run(\(run)) as n", name: "cancel_run"))
    }

    /// Gives the run's failed and discarded jobs a fresh set of attempts.
    public func retry(run: Int64, on connection: Connection) throws(PostgresError) -> Int {
        try count(connection, SQLQuery("select spectra.retry_run(\(run)) as n", name: "retry_run"))
    }

    /// Sets the priority of the run's unfinished jobs; higher is claimed first.
    public func setPriority(_ priority: Int, run: Int64, on connection: Connection) throws(PostgresError) -> Int {
        try count(connection, SQLQuery("select spectra.set_run_priority(\(run), \(priority)::int) as n", name: "set_run_priority"))
    }

    /// Makes `job` wait until `dependsOn` completes (fails it at once if that job already
    /// failed or was discarded; refuses cycles).
    public func addDependency(job: Int64, dependsOn: Int64, on connection: Connection) throws(PostgresError) {
        _ = try connection.query(SQLQuery("select spectra.add_dependency(\(job), \(dependsOn))", name: "add_dependency"))
    }

    private func count(_ connection: Connection, _ query: SQLQuery) throws(PostgresError) -> Int {
        try connection.query(query).first?.decode("n", as: Int.self) ?? 0
    }
}
