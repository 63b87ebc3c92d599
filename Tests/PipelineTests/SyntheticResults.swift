import Foundation
import Postgres

/// A run with results written straight into the tables, shaped like the paper's curves:
/// RankMe collapses, rises to a peak and declines over log-spaced checkpoints. It lets the
/// views and the report be tested without running a forward pass.
enum SyntheticResults {
    static let tokens: [Int64] = [0] + (0..<14).map { Int64(pow(10.0, 6 + Double($0) * 0.5)) }

    /// ln RankMe at checkpoint `i` for a model whose peak is at `peak`.
    static func logRankMe(_ i: Int, peak: Int, layer: Int) -> Double {
        let base = 3.0 + 0.2 * Double(layer)
        if i <= 3 { return base + 1 - Double(i) / 3 }                        // warmup collapse to `base`
        if i <= peak { return base + 2.5 * Double(i - 3) / Double(peak - 3) } // entropy seeking
        return base + 2.5 - 0.3 * Double(i - peak)                            // compression
    }

    /// Writes the run; returns its id.
    @discardableResult
    static func write(url: String, runName: String = "synthetic", variant: String? = nil,
                      models: [(name: String, family: String, architecture: String, peak: Int)] = [
                        ("tiny-pythia", "pythia-like", "GPTNeoXForCausalLM", 9), ("tiny-olmo", "olmo-like", "OlmoForCausalLM", 10)],
                      layers: Int = 3) throws -> Int64 {
        let db = try Connection(url: url)
        return try db.withTransaction { tx in
            let run = try tx.query(SQLQuery(
                "insert into spectra.runs (name, family, variant, config) values (\(runName), 'local', \(variant), '{}') returning id"))
                .first!.decode("id", as: Int64.self)
            for model in models {
                let modelID = try tx.query(SQLQuery(
                    """
                    insert into spectra.models (name, family, architecture, num_layers, hidden_size, source)
                    values (\(model.name), \(model.family), \(model.architecture), \(layers), 64, '/synthetic')
                    on conflict (name) do update set source = excluded.source returning id
                    """)).first!.decode("id", as: Int64.self)
                for (i, tokens) in tokens.enumerated() {
                    let checkpoint = try tx.query(SQLQuery(
                        """
                        insert into spectra.checkpoints (model_id, revision, step, tokens_seen, location)
                        values (\(modelID), \("step\(i)"), \(Int64(i)), \(tokens), '/synthetic')
                        on conflict (model_id, revision) do update set tokens_seen = excluded.tokens_seen returning id
                        """)).first!.decode("id", as: Int64.self)
                    _ = try tx.execute(SQLQuery(
                        "insert into spectra.jobs (run_id, kind, checkpoint_id, state, completions) values (\(run), 'extract', \(checkpoint), 'completed', 1)"))
                    for layer in 0...layers {
                        let rankme = exp(logRankMe(i, peak: model.peak, layer: layer))
                        let metrics = "{\"rankme\": \(rankme), \"alpha_req\": \(2.0 / log(rankme)), \"participation_ratio\": \(rankme / 2)}"
                        try insert(tx, run: run, checkpoint: checkpoint, layer: layer, source: "representation", pooling: "last", matrix: "", metrics: metrics)
                        guard layer < layers else { continue }
                        for (matrix, offset) in [("attn.qkv", 0.0), ("mlp.in", 0.4)] {
                            let alpha = 6.0 - 0.25 * Double(i) + offset + 0.1 * Double(layer)
                            try insert(tx, run: run, checkpoint: checkpoint, layer: layer, source: "weights", pooling: "", matrix: matrix,
                                       metrics: "{\"powerlaw_alpha\": \(alpha), \"spectral_norm\": \(1.0 + Double(i))}")
                        }
                    }
                }
            }
            return run
        }
    }

    static func insert(_ tx: Connection, run: Int64, checkpoint: Int64, layer: Int, source: String, pooling: String,
                       matrix: String, metrics: String) throws {
        _ = try tx.execute(SQLQuery(
            """
            insert into spectra.results (run_id, checkpoint_id, layer, source, pooling, matrix, rows, columns, eigenvalues,
                                         metrics, method, elapsed_seconds, worker)
            values (\(run), \(checkpoint), \(layer), \(source), \(pooling), \(matrix), 64, 64, \([Float(1), 0.5]),
                    \(JSON(raw: metrics)), 'exact', 0.01, 'synthetic')
            """))
    }
}
