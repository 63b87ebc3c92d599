import Jobs
import Foundation
import Postgres

/// The report's post-training section: for each lineage of the run, each metric across
/// the stages in order, per quarter of depth, with the change from the previous stage.
/// It shows what spectra.variant_comparison holds; it does not say which direction is
/// expected.
struct PostTrainingSection {
    struct Row {
        var lineage: String
        var position: Int
        var stage: String
        var depthBin: Double
        var source: String
        var pooling: String
        var metric: String
        var value: Double
        var deltaPrevious: Double?
    }

    /// Representation metrics at the report's pooling, then weight-spectrum metrics.
    static let metrics: [(source: String, metric: MetricKey)] = [
        ("representation", .rankme), ("representation", .alphaReq), ("weights", .powerlawAlpha), ("weights", .farmsAlpha),
    ]

    var rows: [Row]

    static func load(runID: Int64, on db: Connection) throws -> PostTrainingSection {
        let rows = try db.query(SQLQuery(
            """
            select lineage, position, stage, depth_bin, source, pooling, metric, value, delta_previous
              from spectra.variant_comparison
             where run_id = \(runID) and metric = any(\(metrics.map(\.metric.rawValue))) and value = value
             order by lineage, source, metric, depth_bin, position
            """, name: "report_post_training"))
        return PostTrainingSection(rows: try rows.map {
            Row(lineage: try $0.decode("lineage", as: String.self), position: try $0.decode("position", as: Int.self),
                stage: try $0.decode("stage", as: String.self), depthBin: try $0.decode("depth_bin", as: Double.self),
                source: try $0.decode("source", as: String.self), pooling: try $0.decode("pooling", as: String.self),
                metric: try $0.decode("metric", as: String.self), value: try $0.decode("value", as: Double.self),
                deltaPrevious: try $0.decode("delta_previous", as: Double?.self))
        })
    }

    /// Empty when the run has no lineage stages.
    func html(pooling: String) -> String {
        guard !rows.isEmpty else { return "" }
        var out = """
            <h2>Post-training: each metric across the stages</h2>
            <p>Per lineage, in stage order; each cell is the stage's value with its change from the previous stage
            (green: up, red: down). Depth bins are quarters of relative depth (representation: hidden state / L;
            weights: (block + 1) / L). Rows come from spectra.variant_comparison.</p>
            """
        for lineage in Array(Set(rows.map(\.lineage))).sorted() {
            let mine = rows.filter { $0.lineage == lineage }
            let stages = Dictionary(mine.map { ($0.position, $0.stage) }, uniquingKeysWith: { a, _ in a }).sorted { $0.key < $1.key }
            var table = "<tr><th>metric</th><th>depth</th>" + stages.map { "<th>\(SVGText.escape($0.value))</th>" }.joined() + "</tr>"
            for (source, metric) in Self.metrics {
                let cells = mine.filter { $0.source == source && $0.metric == metric.rawValue && (source == "weights" || $0.pooling == pooling) }
                for bin in Array(Set(cells.map(\.depthBin))).sorted() {
                    table += "<tr><td>\(SVGText.escape(metric.label))\(source == "weights" ? " (weights)" : "")</td>"
                        + String(format: "<td>%.2f</td>", bin)
                    for (position, _) in stages {
                        table += "<td>\(Self.cell(cells.first { $0.depthBin == bin && $0.position == position }))</td>"
                    }
                    table += "</tr>"
                }
            }
            out += "<h3>Lineage \(SVGText.escape(lineage))</h3><table>\(table)</table>"
        }
        return out
    }

    static func cell(_ row: Row?) -> String {
        guard let row else { return "–" }
        var text = String(format: "%.3f", row.value)
        if let delta = row.deltaPrevious {
            let color = delta > 0 ? "#1a7f37" : (delta < 0 ? "#c62828" : "#777")
            text += String(format: " <span style=\"color:%@\">(%+.3f)</span>", color, delta)
        }
        return text
    }
}
