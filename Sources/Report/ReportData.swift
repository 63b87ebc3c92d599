import Jobs
import Queue
import Foundation
import Postgres

/// What the report draws for one run, read from the aggregated views.
struct ReportData {
    struct Model {
        var name: String
        var lineage: String
        var layers: Int
        var hiddenSize: Int
    }

    struct Point {
        var model: String
        var layer: Int
        var source: String
        var pooling: String
        var metric: String
        var revision: String
        var tokens: Int64
        var value: Double
    }

    struct Phases {
        var model: String
        var layer: Int
        var pooling: String
        var collapseEnd: Int64?
        var peak: Int64?
        var onset: Int64?
        var initial: Double
        var peakValue: Double
        var final: Double
    }

    var runID: Int64
    var runName: String
    var variant: String?
    var models: [Model]
    var points: [Point]
    var phases: [Phases]
    var jobCounts: [(kind: String, state: String, count: Int)]
    /// `#rrggbb` per model (ModelPalette), fixed when the models are.
    var colors: [String: String] = [:]
    var postTraining = PostTrainingSection(rows: [])

    /// The metrics the report draws.
    static let metrics: [MetricKey] = [.rankme, .alphaReq, .powerlawAlpha]

    static func load(url: String, run: String) throws -> ReportData {
        let db = try Connection(url: url)
        let found = try RunReference.find(run, on: db)
        let id = found.id
        var data = ReportData(runID: id, runName: found.name, variant: found.variant, models: [], points: [], phases: [], jobCounts: [])
        for m in try db.query(SQLQuery(
            """
            select distinct m.name, spectra.lineage(m.family, m.architecture) as lineage, m.num_layers, m.hidden_size
              from spectra.jobs j join spectra.checkpoints c on c.id = j.checkpoint_id join spectra.models m on m.id = c.model_id
             where j.run_id = \(id)
               and not exists (select 1 from spectra.lineage_stages s
                                where s.run_id = j.run_id and s.checkpoint_id = j.checkpoint_id and s.position > 0)
            """, name: "report_models")) {
            data.models.append(Model(name: try m.decode("name", as: String.self), lineage: try m.decode("lineage", as: String.self),
                                     layers: try m.decode("num_layers", as: Int.self), hiddenSize: try m.decode("hidden_size", as: Int.self)))
        }
        data.models = Self.ordered(data.models)
        data.colors = ModelPalette.colors(for: data.models.map { ($0.name, $0.lineage) })
        for p in try db.query(SQLQuery(
            """
            select model, layer, source, pooling, metric, revision, tokens_seen, value from spectra.family_curves
             where run_id = \(id) and metric = any(\(ReportData.metrics.map(\.rawValue)))
            """, name: "report_curves")) {
            data.points.append(Point(model: try p.decode("model", as: String.self), layer: try p.decode("layer", as: Int.self),
                                     source: try p.decode("source", as: String.self), pooling: try p.decode("pooling", as: String.self),
                                     metric: try p.decode("metric", as: String.self),
                                     revision: try p.decode("revision", as: String.self), tokens: try p.decode("tokens_seen", as: Int64.self),
                                     value: try p.decode("value", as: Double.self)))
        }
        data.postTraining = try PostTrainingSection.load(runID: id, on: db)
        guard !data.points.isEmpty || !data.postTraining.rows.isEmpty else {
            throw PipelineError(.notFound,
                "run \(data.runName) (#\(id)) has no aggregated results yet: let workers complete jobs, then run `spectra aggregate`")
        }
        for p in try db.query(SQLQuery(
            """
            select model, layer, pooling, collapse_end_tokens, entropy_peak_tokens, compression_onset_tokens,
                   initial_rankme, peak_rankme, final_rankme
              from spectra.phase_boundaries where run_id = \(id) and entropy_peak_tokens is not null
            """, name: "report_phases")) {
            data.phases.append(Phases(
                model: try p.decode("model", as: String.self), layer: try p.decode("layer", as: Int.self),
                pooling: try p.decode("pooling", as: String.self), collapseEnd: try p.decode("collapse_end_tokens", as: Int64?.self),
                peak: try p.decode("entropy_peak_tokens", as: Int64?.self), onset: try p.decode("compression_onset_tokens", as: Int64?.self),
                initial: try p.decode("initial_rankme", as: Double.self), peakValue: try p.decode("peak_rankme", as: Double.self),
                final: try p.decode("final_rankme", as: Double.self)))
        }
        for c in try db.query(SQLQuery(
            "select kind, state::text as state, count(*)::int as n from spectra.jobs where run_id = \(id) group by 1, 2 order by 1, 2",
            name: "report_jobs")) {
            data.jobCounts.append((try c.decode("kind", as: String.self), try c.decode("state", as: String.self), try c.decode("n", as: Int.self)))
        }
        return data
    }

    /// The pooling the headline plots use: `last` when the run has it.
    var headlinePooling: String {
        let poolings = Set(points.filter { $0.source == "representation" }.map(\.pooling))
        return poolings.contains("last") ? "last" : (poolings.sorted().first ?? "last")
    }

    /// Pythia first, then OLMo, then the rest by name; within a lineage by size (layers ×
    /// width², the bulk of the parameters), so that the palette's shades follow size.
    static func ordered(_ models: [Model]) -> [Model] {
        let rank = ["pythia": 0, "olmo": 1, "olmo2": 2]
        return models.sorted { a, b in
            let (ra, rb) = (rank[a.lineage] ?? 3, rank[b.lineage] ?? 3)
            if ra != rb { return ra < rb }
            if a.lineage != b.lineage { return a.lineage < b.lineage }
            let (sa, sb) = (Double(a.layers) * Double(a.hiddenSize) * Double(a.hiddenSize),
                            Double(b.layers) * Double(b.hiddenSize) * Double(b.hiddenSize))
            return sa != sb ? sa < sb : a.name < b.name
        }
    }

    /// The model's colour; grey for a name the run does not hold.
    func color(of model: String) -> String {
        colors[model] ?? "#7f7f7f"
    }
}
