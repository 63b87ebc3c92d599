import Foundation
import Postgres

/// Results shaped like the full grid (the eight Pythia sizes at their 154 revisions, OLMo
/// 1B and 7B at as many), written by a few set-based statements so that the report can be
/// tested at the size a reader meets without a slow row-by-row insert. RankMe collapses over
/// the first checkpoints, rises to a peak that comes later for larger models, then declines.
enum FullGridResults {
    /// Name, family, architecture, layers, width: the grid's shapes (Pythia paper Table 1, OLMo model cards).
    static let models: [(name: String, family: String, architecture: String, layers: Int, width: Int)] = [
        ("pythia-70m", "pythia", "GPTNeoXForCausalLM", 6, 512), ("pythia-160m", "pythia", "GPTNeoXForCausalLM", 12, 768),
        ("pythia-410m", "pythia", "GPTNeoXForCausalLM", 24, 1024), ("pythia-1b", "pythia", "GPTNeoXForCausalLM", 16, 2048),
        ("pythia-1.4b", "pythia", "GPTNeoXForCausalLM", 24, 2048), ("pythia-2.8b", "pythia", "GPTNeoXForCausalLM", 32, 2560),
        ("pythia-6.9b", "pythia", "GPTNeoXForCausalLM", 32, 4096), ("pythia-12b", "pythia", "GPTNeoXForCausalLM", 36, 5120),
        ("olmo-1b", "olmo", "OlmoForCausalLM", 16, 2048), ("olmo-7b", "olmo", "OlmoForCausalLM", 32, 4096),
    ]

    /// Pythia's 154 steps: 0, the powers of two to 512, then every 1000 to 143000.
    static let pythiaSteps: [Int64] = [0] + (0...9).map { Int64(1) << $0 } + stride(from: 1000, through: 143_000, by: 1000).map { Int64($0) }

    /// Writes the run; returns its id.
    @discardableResult
    static func write(url: String, runName: String = "full-grid") throws -> Int64 {
        let db = try Connection(url: url)
        return try db.withTransaction { tx in
            let run = try tx.query(SQLQuery(
                "insert into spectra.runs (name, family, variant, config) values (\(runName), 'grid', null, '{}') returning id"))
                .first!.decode("id", as: Int64.self)
            for (m, model) in models.enumerated() {
                let modelID = try tx.query(SQLQuery(
                    """
                    insert into spectra.models (name, family, architecture, num_layers, hidden_size, source)
                    values (\(model.name), \(model.family), \(model.architecture), \(model.layers), \(model.width), '/synthetic')
                    on conflict (name) do update set source = excluded.source returning id
                    """)).first!.decode("id", as: Int64.self)
                // OLMo: 154 revisions 1000 steps apart at 4,194,304 tokens a step; Pythia: its own steps at 2,097,152.
                let olmo = model.family == "olmo"
                let steps = olmo ? (0..<154).map { Int64($0) * 1000 } : pythiaSteps
                let perStep: Int64 = olmo ? 4_194_304 : 2_097_152
                let revisions = steps.map { olmo ? "step\($0)-tokens\($0 * perStep / 1_000_000_000)B" : "step\($0)" }
                _ = try tx.execute(SQLQuery(
                    """
                    insert into spectra.checkpoints (model_id, revision, step, tokens_seen, location)
                    select \(modelID), r, s, s * \(perStep), '/synthetic' from unnest(\(revisions)::text[], \(steps)::bigint[]) as t(r, s)
                    on conflict (model_id, revision) do nothing
                    """))
                _ = try tx.execute(SQLQuery(
                    """
                    insert into spectra.jobs (run_id, kind, checkpoint_id, state, completions)
                    select \(run), 'extract', id, 'completed', 1 from spectra.checkpoints where model_id = \(modelID)
                    """))
                // i: the checkpoint's rank; the peak moves right with size (checkpoint 60 for the smallest).
                let peak = 60 + 6 * m
                _ = try tx.execute(SQLQuery(
                    """
                    with c as (select id, (rank() over (order by step) - 1)::float8 as i from spectra.checkpoints where model_id = \(modelID)),
                    v as (select c.id, l.layer, 3.0 + 0.04 * l.layer
                                 + case when c.i <= 4 then 1 - c.i / 4
                                        when c.i <= \(peak) then 2.5 * (c.i - 4) / (\(peak) - 4)
                                        else 2.5 - 1.5 * (c.i - \(peak)) / (153 - \(peak)) end as ln_rankme
                            from c cross join generate_series(0, \(model.layers)) as l(layer))
                    insert into spectra.results (run_id, checkpoint_id, layer, source, pooling, matrix, rows, columns, eigenvalues,
                                                 metrics, method, elapsed_seconds, worker)
                    select \(run), id, layer, 'representation', 'last', '', 64, 64, '{1,0.5}'::float4[],
                           jsonb_build_object('rankme', exp(ln_rankme), 'alpha_req', 2.0 / ln_rankme), 'exact', 0.01, 'synthetic'
                      from v
                    """))
                _ = try tx.execute(SQLQuery(
                    """
                    with c as (select id, (rank() over (order by step) - 1)::float8 as i from spectra.checkpoints where model_id = \(modelID))
                    insert into spectra.results (run_id, checkpoint_id, layer, source, pooling, matrix, rows, columns, eigenvalues,
                                                 metrics, method, elapsed_seconds, worker)
                    select \(run), c.id, l.layer, 'weights', '', m.matrix, 64, 64, '{1,0.5}'::float4[],
                           jsonb_build_object('powerlaw_alpha', 6.0 - 3.0 * c.i / 153 + m.offset_ + 0.03 * l.layer), 'exact', 0.01, 'synthetic'
                      from c cross join generate_series(0, \(model.layers - 1)) as l(layer)
                             cross join (values ('attn.qkv', 0.0), ('mlp.in', 0.4)) as m(matrix, offset_)
                    """))
            }
            return run
        }
    }
}
