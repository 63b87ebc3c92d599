import Foundation
import Queue
import Pipeline
import Postgres
import Testing

/// `spectra aggregate` recomputes only the checkpoints whose results changed. The oracle:
/// the views' original definitions (the materialized views of migrations 0003 and 0008,
/// read from those files and created as plain views in a `reference` schema) and a full
/// recomputation, compared after results arrive, change and vanish in several steps.
@Suite("Incremental aggregation")
struct IncrementalAggregationTests {
    @Test("after every step the tables equal the original definitions and a full recomputation")
    func steps() throws {
        let url = try TestSupport.migratedDatabase()
        let db = try Connection(url: url)
        try Self.createReference(db)
        let aggregator = Aggregator(logger: TestSupport.logger)
        let run = try SyntheticResults.write(url: url)

        // 1. Checkpoints 10… held back, the rest aggregated.
        try db.unsafeExecute("""
            create table held as select * from spectra.results r
             where r.checkpoint_id in (select id from spectra.checkpoints where step >= 10);
            delete from spectra.results where id in (select id from held);
            """)
        try aggregator.refreshAll(url: url)
        try Self.expectMatchesReference(db, step: "first aggregate")
        #expect(try Self.pending(db) == 0)

        // 2. They land in two batches, each followed by an aggregate that sees only them.
        for steps in [10...12, 13...14] {
            try db.unsafeExecute("""
                insert into spectra.results (id, run_id, checkpoint_id, layer, source, pooling, matrix, rows, columns,
                                             eigenvalues, metrics, method, elapsed_seconds, worker, created_at)
                select id, run_id, checkpoint_id, layer, source, pooling, matrix, rows, columns,
                       eigenvalues, metrics, method, elapsed_seconds, worker, created_at
                  from held where checkpoint_id in (select id from spectra.checkpoints
                                                     where step between \(steps.lowerBound) and \(steps.upperBound))
                """)
            let changed = try #require(try db.query(SQLQuery("select count(distinct (run_id, checkpoint_id))::int as n from spectra.aggregate_pending")).first)
            // Two models × the batch's checkpoints, nothing else.
            #expect(try changed.decode("n", as: Int.self) == 2 * steps.count)
            try aggregator.refreshAll(url: url)
            try Self.expectMatchesReference(db, step: "checkpoints \(steps)")
        }

        // 3. A result rewritten (a retried job's upsert), then a checkpoint's results deleted.
        try db.unsafeExecute("""
            update spectra.results set metrics = jsonb_set(metrics, '{rankme}', '123.5')
             where run_id = \(run) and layer = 2 and source = 'representation'
               and checkpoint_id = (select min(id) from spectra.checkpoints where step = 6);
            """)
        try aggregator.refreshAll(url: url)
        try Self.expectMatchesReference(db, step: "rewritten result")
        let rewritten = try #require(try db.query(SQLQuery(
            "select value from spectra.family_curves where metric = 'rankme' and layer = 2 and revision = 'step6' and model = 'tiny-pythia'")).first)
        #expect(try rewritten.decode("value", as: Double.self) == 123.5)
        try db.unsafeExecute("delete from spectra.results where checkpoint_id in (select id from spectra.checkpoints where step = 14)")
        try aggregator.refreshAll(url: url)
        try Self.expectMatchesReference(db, step: "deleted checkpoint")
        #expect(try TestSupport.count("select count(*) as n from spectra.layer_metrics where revision = 'step14'", url: url) == 0)

        // 4. Runs labelled with a variant (a column family_curves copies), then a full recomputation.
        try SyntheticResults.write(url: url, runName: "base", variant: "base",
                                   models: [("olmo-base", "olmo-like", "OlmoForCausalLM", 10)])
        try SyntheticResults.write(url: url, runName: "sft", variant: "SFT",
                                   models: [("olmo-sft", "olmo-like", "OlmoForCausalLM", 12)])
        try aggregator.refreshAll(url: url)
        try Self.expectMatchesReference(db, step: "variant runs")
        try aggregator.refreshAll(url: url, full: true)
        try Self.expectMatchesReference(db, step: "full recomputation")
    }

    static func pending(_ db: Connection) throws -> Int {
        try db.query(SQLQuery("select count(*)::int as n from spectra.aggregate_pending")).first?.decode("n", as: Int.self) ?? -1
    }

    /// The materialized views of 0003 and 0008 as plain views over results, in schema `reference`.
    static func createReference(_ db: Connection) throws {
        let dir = try Schema.migrationsDirectory()
        var sql = "create schema reference;\n"
        for file in ["0003_layer_metrics.sql", "0008_family_views.sql"] {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            for part in text.components(separatedBy: "create materialized view spectra.").dropFirst() {
                guard let end = part.range(of: ";\n") else { continue }
                let statement = String(part[..<end.lowerBound])
                guard !statement.hasPrefix("variant_comparison") else { continue }
                sql += "create view reference." + statement.replacingOccurrences(of: "spectra.family_curves", with: "reference.family_curves") + ";\n"
            }
        }
        try db.unsafeExecute(sql)
        #expect(try db.query(SQLQuery("select count(*)::int as n from pg_views where schemaname = 'reference'")).first?
            .decode("n", as: Int.self) == 4)
    }

    /// Rows missing on either side or differing. Averages over several rows may differ in
    /// their last bits with the order of summation: those compare with tolerance 1e-12 relative.
    static func expectMatchesReference(_ db: Connection, step: String) throws {
        let checks = [
            ("layer_metrics", """
                select count(*)::int as n from ((select * from spectra.layer_metrics except all select * from reference.layer_metrics)
                union all (select * from reference.layer_metrics except all select * from spectra.layer_metrics)) d
                """),
            ("phase_boundaries", """
                select count(*)::int as n from ((select * from spectra.phase_boundaries except all select * from reference.phase_boundaries)
                union all (select * from reference.phase_boundaries except all select * from spectra.phase_boundaries)) d
                """),
            ("family_curves", """
                select count(*)::int as n from spectra.family_curves a full join reference.family_curves b
                    on (a.run_id, a.model, a.revision, a.layer, a.source, a.pooling, a.metric)
                     = (b.run_id, b.model, b.revision, b.layer, b.source, b.pooling, b.metric)
                 where a.run_id is null or b.run_id is null
                    or (a.run_name, a.variant, a.family, a.lineage, a.step, a.tokens_seen, a.relative_depth)
                       is distinct from (b.run_name, b.variant, b.family, b.lineage, b.step, b.tokens_seen, b.relative_depth)
                    or abs(a.value - b.value) > 1e-12 * greatest(abs(b.value), 1)
                """),
            ("family_comparison", """
                select count(*)::int as n from spectra.family_comparison a full join reference.family_comparison b
                    on (a.metric, a.source, a.pooling, a.depth_bin, a.tokens, a.pythia_run_id, a.pythia_model, a.olmo_run_id, a.olmo_model)
                     = (b.metric, b.source, b.pooling, b.depth_bin, b.tokens, b.pythia_run_id, b.pythia_model, b.olmo_run_id, b.olmo_model)
                 where a.metric is null or b.metric is null
                    or abs(a.pythia_value - b.pythia_value) > 1e-12 * greatest(abs(b.pythia_value), 1)
                    or abs(a.olmo_value - b.olmo_value) > 1e-12 * greatest(abs(b.olmo_value), 1)
                    or abs(a.olmo_minus_pythia - b.olmo_minus_pythia) > 1e-12 * greatest(abs(b.olmo_value), abs(b.pythia_value), 1)
                """),
        ]
        for (view, sql) in checks {
            let differing = try db.query(SQLQuery("\(unsafeRaw: sql)")).first?.decode("n", as: Int.self)
            #expect(differing == 0, "\(step): spectra.\(view) differs from its definition in \(differing ?? -1) rows")
        }
        let rows = try db.query(SQLQuery("select count(*)::int as n from spectra.family_comparison")).first?.decode("n", as: Int.self) ?? 0
        #expect(rows > 0, "\(step): the comparison is empty, so the check above proves nothing")
    }
}
