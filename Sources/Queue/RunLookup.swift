import Postgres

/// A run as operators name it: by its id or by its name. The one place that finds a run,
/// so `status`, `jobs` and `report` accept the same spellings and fail the same way.
public struct RunReference: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var variant: String?

    /// The run `run` (an id or a name); an error naming it when there is none.
    public static func find(_ run: String, on db: Connection) throws -> RunReference {
        guard let row = try db.query(SQLQuery(
            "select id, name, variant from spectra.runs where id::text = \(run)::text or name = \(run)::text order by id limit 1",
            name: "find_run")).first
        else {
            throw QueueError(.runNotFound, notFoundMessage(run))
        }
        return RunReference(id: try row.decode("id", as: Int64.self), name: try row.decode("name", as: String.self),
                            variant: try row.decode("variant", as: String?.self))
    }

    /// What every command says about a run that does not exist.
    public static func notFoundMessage(_ run: String) -> String {
        "run '\(run)' does not exist (give a run's id or name; `spectra status` lists them)"
    }
}
