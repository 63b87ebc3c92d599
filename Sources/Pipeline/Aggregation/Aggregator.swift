import Jobs
import Logging
import Postgres

/// Refreshes the materialized views that researchers query.
public struct Aggregator: Sendable {
    let logger: Logger

    /// In refresh order: each view reads only those before it.
    public static let views = ["layer_metrics", "family_curves", "phase_boundaries", "family_comparison", "variant_comparison"]

    public init(logger: Logger = Logger(label: "spectra.aggregate")) {
        self.logger = logger
    }

    /// Refreshes every view without blocking its readers; returns each view's row count.
    @discardableResult
    public func refreshAll(url: String) throws -> [(view: String, rows: Int)] {
        let db = try Connection(url: url)
        var counts: [(String, Int)] = []
        for view in Self.views {
            // CONCURRENTLY keeps readers unblocked; each view has the unique index it needs.
            try db.unsafeExecute("refresh materialized view concurrently spectra.\(view)")
            let count = try db.query(SQLQuery("select count(*) as n from spectra.\(unsafeRaw: view)", name: "count_\(view)"))
                .first?.decode("n", as: Int.self) ?? 0
            logger.info("refreshed spectra.\(view)", metadata: ["rows": "\(count)"])
            counts.append((view, count))
        }
        return counts
    }
}
