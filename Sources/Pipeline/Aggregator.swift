import Logging
import Postgres

/// Refreshes the materialized views that researchers query.
public struct Aggregator: Sendable {
    let logger: Logger

    public init(logger: Logger = Logger(label: "spectra.aggregate")) {
        self.logger = logger
    }

    /// Refreshes `spectra.layer_metrics` without blocking its readers; returns its row count.
    @discardableResult
    public func refresh(url: String) throws -> Int {
        let db = try Connection(url: url)
        // CONCURRENTLY keeps readers unblocked; it needs the unique index of migration 0003.
        try db.unsafeExecute("refresh materialized view concurrently spectra.layer_metrics")
        let count = try db.query(SQLQuery("select count(*) as n from spectra.layer_metrics", name: "count_layer_metrics"))
            .first?.decode("n", as: Int.self) ?? 0
        logger.info("refreshed spectra.layer_metrics", metadata: ["rows": "\(count)"])
        return count
    }
}
