import Jobs
import Foundation
import Postgres
import Queue

/// What `spectra demo` prints at the end: each model's trajectory at the final hidden
/// state, the phase boundaries, where the report is, and SQL to try.
public struct DemoReport: Sendable {
    public struct Line: Sendable, Equatable {
        public var model: String
        public var revision: String
        public var tokens: Int64
        public var rankme: Double?
        public var alphaReq: Double?
        public var weightAlpha: Double?
    }

    public var plan: PlanSummary
    public var worker: WorkerSummary
    public var curves: [Line]
    /// The post-training lineage's stages in order (empty when none was planned).
    public var stages: [Stage] = []
    public var url: String
    public var reportPath: String
    public var seconds: Double

    static func loadCurves(url: String, runID: Int64) throws -> [Line] {
        let rows = try Connection(url: url).query(SQLQuery(
            """
            select f.model, f.revision, f.tokens_seen,
                   max(f.value) filter (where f.source = 'representation' and f.metric = 'rankme' and f.layer = m.num_layers) as rankme,
                   max(f.value) filter (where f.source = 'representation' and f.metric = 'alpha_req' and f.layer = m.num_layers) as alpha_req,
                   avg(f.value) filter (where f.source = 'weights' and f.metric = 'powerlaw_alpha') as weight_alpha
              from spectra.family_curves f join spectra.models m on m.name = f.model
             where f.run_id = \(runID)
               and not exists (select 1 from spectra.lineage_stages s
                                 join spectra.checkpoints c on c.id = s.checkpoint_id join spectra.models sm on sm.id = c.model_id
                                where s.run_id = f.run_id and s.position > 0 and sm.name = f.model and c.revision = f.revision)
             group by f.model, f.revision, f.tokens_seen
             order by f.model desc, f.tokens_seen
            """, name: "demo_curves"))
        return try rows.map {
            Line(model: try $0.decode("model", as: String.self), revision: try $0.decode("revision", as: String.self),
                 tokens: try $0.decode("tokens_seen", as: Int64.self), rankme: try $0.decode("rankme", as: Double?.self),
                 alphaReq: try $0.decode("alpha_req", as: Double?.self), weightAlpha: try $0.decode("weight_alpha", as: Double?.self))
        }
    }

    /// The queries printed for the user to paste into psql.
    public static let exampleQueries = [
        "-- RankMe of the last hidden state over training, both families:\nselect model, revision, tokens_seen, round(value::numeric, 2) as rankme\n  from spectra.family_curves\n where metric = 'rankme' and source = 'representation' and relative_depth = 1\n order by model, tokens_seen;",
        "-- Where each model's trajectory changes phase, per hidden state:\nselect model, layer, collapse_end_tokens, entropy_peak_tokens, compression_onset_tokens,\n       round(peak_rankme::numeric, 1) as peak_rankme\n  from spectra.phase_boundaries order by model, layer;",
        "-- Post-training stages in order (base → SFT → DPO → RLVR), last hidden state:\nselect lineage, position, stage, metric, round(value::numeric, 3) as value,\n       round(delta_previous::numeric, 3) as from_previous, round(delta::numeric, 3) as from_base\n  from spectra.variant_comparison\n where source = 'representation' and depth_bin = 1 and metric in ('rankme', 'alpha_req')\n order by lineage, metric, position;",
        "-- OLMo against Pythia at matched tokens, final quarter of depth:\nselect tokens::bigint, round(pythia_value::numeric, 2) as pythia, round(olmo_value::numeric, 2) as olmo\n  from spectra.family_comparison\n where metric = 'rankme' and source = 'representation' and depth_bin = 1 order by tokens;",
    ]

    /// The text printed by `spectra demo`.
    public func render(executable: String) -> String {
        var out = "RankMe and α-ReQ at the final hidden state (last-token pooling), mean weight-ESD power-law α:\n\n"
        let header = ["model", "revision", "tokens", "RankMe", "α-ReQ", "weight α"]
        var rows = [header]
        for line in curves {
            rows.append([line.model, line.revision, Self.tokens(line.tokens), Self.number(line.rankme, "%.2f"),
                         Self.number(line.alphaReq, "%.3f"), Self.number(line.weightAlpha, "%.2f")])
        }
        out += Self.table(rows)
        out += renderStages()
        out += "\nRun \(plan.runName): \(worker.completed) jobs completed, \(worker.failed) failed, in \(String(format: "%.1f", seconds)) s.\n"
        out += "Report: \(reportPath)\n\nQuery the results:\n  psql \"$(\(executable) db url)\"\n\nthen try:\n"
        for query in Self.exampleQueries { out += "\n" + query + "\n" }
        return out
    }

    static func number(_ value: Double?, _ format: String) -> String {
        value.map { String(format: format, $0) } ?? "–"
    }

    static func tokens(_ count: Int64) -> String {
        switch count {
        case 1_000_000_000...: String(format: "%.2fB", Double(count) / 1e9)
        case 1_000_000...: String(format: "%.1fM", Double(count) / 1e6)
        case 1_000...: String(format: "%.0fK", Double(count) / 1e3)
        default: "\(count)"
        }
    }

    /// `rows` (the first one the header) as aligned columns: the first two left-aligned,
    /// the numbers right-aligned, a rule under the header.
    static func table(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = ""
        for (index, row) in rows.enumerated() {
            out += row.enumerated().map { column, cell in
                column < 2 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                           : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ") + "\n"
            if index == 0 { out += widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n" }
        }
        return out
    }
}
