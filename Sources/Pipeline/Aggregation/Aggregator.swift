import Jobs
import Logging
import Postgres

/// Brings the views that researchers query up to date with `spectra.results`.
///
/// `spectra.aggregate()` (migration 0018) recomputes only the checkpoints whose results
/// changed since the last call (layer_metrics, family_curves) and the (run, model) pairs
/// they belong to (phase_boundaries and the interpolated curves behind family_comparison),
/// in one transaction, so readers see the previous rows until it commits and never wait.
/// variant_comparison stays a materialized view over the lineages' stages, refreshed
/// concurrently every time.
public struct Aggregator: Sendable {
    let logger: Logger

    /// The views, in dependency order: each reads only those before it.
    public static let views = ["layer_metrics", "family_curves", "phase_boundaries", "family_comparison", "variant_comparison"]

    public init(logger: Logger = Logger(label: "spectra.aggregate")) {
        self.logger = logger
    }

    /// Recomputes what changed (everything when `full`) without blocking readers;
    /// returns each view's row count.
    @discardableResult
    public func refreshAll(url: String, full: Bool = false) throws -> [(view: String, rows: Int)] {
        let db = try Connection(url: url)
        let changed = try db.query(SQLQuery(
            "select checkpoints_recomputed, models_recomputed from spectra.aggregate(\(full))",
            name: "aggregate")).first
        let checkpoints = try changed?.decode("checkpoints_recomputed", as: Int.self) ?? 0
        let models = try changed?.decode("models_recomputed", as: Int.self) ?? 0
        logger.info("recomputed changed results", metadata: ["checkpoints": "\(checkpoints)", "models": "\(models)"])
        // variant_comparison reads only the lineages' stage checkpoints (migration 0017): a
        // refresh costs little. CONCURRENTLY keeps readers unblocked; the view has the unique
        // index it needs.
        try db.unsafeExecute("refresh materialized view concurrently spectra.variant_comparison")
        var counts: [(String, Int)] = []
        for view in Self.views {
            let count = try db.query(SQLQuery("select count(*) as n from spectra.\(unsafeRaw: view)", name: "count_\(view)"))
                .first?.decode("n", as: Int.self) ?? 0
            logger.info("spectra.\(view)", metadata: ["rows": "\(count)"])
            counts.append((view, count))
        }
        return counts
    }
}
