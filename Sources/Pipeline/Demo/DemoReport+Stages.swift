import Jobs
import Foundation
import Postgres

extension DemoReport {
    /// One post-training stage of the demo's lineage: RankMe and α-ReQ at the last hidden
    /// state (last-token pooling) and the weight-ESD power-law α averaged over depth.
    public struct Stage: Sendable, Equatable {
        public var lineage: String
        public var position: Int
        public var stage: String
        public var model: String
        public var rankme: Double?
        public var alphaReq: Double?
        public var weightAlpha: Double?
    }

    static func loadStages(url: String, runID: Int64) throws -> [Stage] {
        let rows = try Connection(url: url).query(SQLQuery(
            """
            select lineage, position, stage, model,
                   max(value) filter (where source = 'representation' and pooling = 'last' and depth_bin = 1 and metric = 'rankme') as rankme,
                   max(value) filter (where source = 'representation' and pooling = 'last' and depth_bin = 1 and metric = 'alpha_req') as alpha_req,
                   avg(value) filter (where source = 'weights' and metric = 'powerlaw_alpha') as weight_alpha
              from spectra.variant_comparison
             where run_id = \(runID)
             group by lineage, position, stage, model
             order by lineage, position
            """, name: "demo_stages"))
        return try rows.map {
            Stage(lineage: try $0.decode("lineage", as: String.self), position: try $0.decode("position", as: Int.self),
                  stage: try $0.decode("stage", as: String.self), model: try $0.decode("model", as: String.self),
                  rankme: try $0.decode("rankme", as: Double?.self), alphaReq: try $0.decode("alpha_req", as: Double?.self),
                  weightAlpha: try $0.decode("weight_alpha", as: Double?.self))
        }
    }

    /// The post-training table the demo prints, or nothing without a lineage.
    func renderStages() -> String {
        guard !stages.isEmpty else { return "" }
        var out = "\nPost-training lineage \(stages[0].lineage), stage by stage (same probe, same columns):\n\n"
        let header = ["stage", "model", "RankMe", "α-ReQ", "weight α"]
        var rows = [header]
        for s in stages {
            rows.append(["\(s.position) \(s.stage)", s.model, Self.number(s.rankme, "%.2f"), Self.number(s.alphaReq, "%.3f"),
                         Self.number(s.weightAlpha, "%.2f")])
        }
        out += Self.table(rows)
        return out
    }
}
