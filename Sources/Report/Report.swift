import Jobs
import SpectraBase
import Foundation

/// `spectra report`: one self-contained HTML page with SVG plots of a run.
public enum Report {
    /// Writes `DIR/index.html` and returns its path.
    public static func write(url: String, run: String, to directory: String) throws -> String {
        let data = try ReportData.load(url: url, run: run)
        let out = URL(fileURLWithPath: directory, isDirectory: true)
        let file = out.appendingPathComponent("index.html")
        do {
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            try html(data).write(to: file, atomically: true, encoding: .utf8)
        } catch {
            throw PipelineError(.badInput, "report: cannot write \(file.path): \(error.localizedDescription)")
        }
        return file.path
    }

    static func html(_ data: ReportData) -> String {
        let pooling = data.headlinePooling
        var sections: [String] = []
        sections.append(figure("RankMe against tokens seen at the final hidden state (\(pooling) pooling); dashed lines: "
                               + "warmup-collapse end (C), entropy-seeking peak (P), compression onset (O)",
                               finalLayerChart(data, metric: .rankme, pooling: pooling, phases: true)))
        sections.append(figure("α-ReQ (eigenspectrum decay) at the final hidden state; lower α = slower decay = higher RankMe",
                               finalLayerChart(data, metric: .alphaReq, pooling: pooling, phases: false)))
        for model in data.models {
            sections.append(figure("RankMe by hidden state and checkpoint: \(model.name)", heatmap(data, model: model, pooling: pooling)))
        }
        for model in data.models {
            let chart = weightChart(data, model: model)
            if let chart { sections.append(figure("Weight-spectrum power-law α per block over training: \(model.name)", chart)) }
        }
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Spectra: \(SVGText.escape(data.runName))</title>
        <style>
        body { font-family: sans-serif; margin: 24px auto; max-width: 1100px; color: #222; }
        figure { margin: 18px 0 30px; } figcaption { font-size: 13px; color: #555; margin-top: 4px; }
        table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
        th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
        </style></head><body>
        <h1>Representation geometry over training</h1>
        <p>Run <b>\(SVGText.escape(data.runName))</b> (#\(data.runID))\(data.variant.map { ", variant \(SVGText.escape($0))" } ?? ""):
        \(data.models.map { "\(SVGText.escape($0.name)) (\($0.lineage), \($0.layers) layers)" }.joined(separator: ", ")).</p>
        \(jobTable(data))
        \(sections.joined(separator: "\n"))
        <h2>Phase boundaries at the final hidden state</h2>
        \(phaseTable(data, pooling: pooling))
        \(data.postTraining.html(pooling: pooling))
        <p style="font-size:12px;color:#777">Made by spectra \(SpectraVersion.current). Phases: smoothed ln RankMe
        (3-checkpoint moving average), δ = 0.05; see spectra.detect_phases.</p>
        </body></html>
        """
    }

    static func figure(_ caption: String, _ svg: String) -> String {
        "<figure>\(svg)<figcaption>\(SVGText.escape(caption))</figcaption></figure>"
    }

    static func finalLayerChart(_ data: ReportData, metric: MetricKey, pooling: String, phases: Bool) -> String {
        let label = metric.label
        var series: [SVGLineChart.Series] = []
        var markers: [SVGLineChart.Marker] = []
        for model in data.models {
            let points = data.points.filter {
                $0.model == model.name && $0.source == "representation" && $0.pooling == pooling
                    && $0.metric == metric.rawValue && $0.layer == model.layers
            }
            guard !points.isEmpty else { continue }
            let color = data.color(of: model.name)
            series.append(.init(name: model.name, color: color, points: points.map { (Double($0.tokens), $0.value) }))
            guard phases, let p = data.phases.first(where: { $0.model == model.name && $0.layer == model.layers && $0.pooling == pooling })
            else { continue }
            for (tokens, tag) in [(p.collapseEnd, "C"), (p.peak, "P"), (p.onset, "O")] {
                if let tokens { markers.append(.init(x: Double(tokens), color: color, label: tag)) }
            }
        }
        return SVGLineChart(title: "\(label) at the final hidden state", yLabel: label, series: series, markers: markers).render()
    }

    static func heatmap(_ data: ReportData, model: ReportData.Model, pooling: String) -> String {
        let points = data.points.filter {
            $0.model == model.name && $0.source == "representation" && $0.pooling == pooling && $0.metric == MetricKey.rankme.rawValue
        }
        let tokens = Array(Set(points.map(\.tokens))).sorted()
        let layers = Array(Set(points.map(\.layer))).sorted()
        var values = Array(repeating: Array(repeating: Double?.none, count: tokens.count), count: layers.count)
        for p in points {
            if let r = layers.firstIndex(of: p.layer), let c = tokens.firstIndex(of: p.tokens) { values[r][c] = p.value }
        }
        return SVGHeatmap(title: "RankMe: \(model.name)", rowLabels: layers.map { "h\($0)" },
                          columnLabels: tokens.map { $0 == 0 ? "0" : SVGLineChart.tokenLabel(Double($0)) },
                          values: values, valueLabel: "RankMe").render()
    }

    static func weightChart(_ data: ReportData, model: ReportData.Model) -> String? {
        let points = data.points.filter { $0.model == model.name && $0.source == "weights" && $0.metric == MetricKey.powerlawAlpha.rawValue }
        guard !points.isEmpty else { return nil }
        let layers = Array(Set(points.map(\.layer))).sorted()
        let series = layers.map { layer in
            SVGLineChart.Series(name: "block \(layer)",
                                color: SVGHeatmap.color(layers.count > 1 ? Double(layer - layers[0]) / Double(layers.last! - layers[0]) * 0.85 : 0.3),
                                points: points.filter { $0.layer == layer }.map { (Double($0.tokens), $0.value) })
        }
        return SVGLineChart(title: "Power-law α of the weight ESD: \(model.name)", yLabel: "α (mean over the block's matrices)",
                            series: series).render()
    }

    static func jobTable(_ data: ReportData) -> String {
        let states = ["completed", "running", "available", "failed", "discarded"]
        let kinds = Array(Set(data.jobCounts.map(\.kind))).sorted()
        var rows = "<tr><th>jobs</th>" + states.map { "<th>\($0)</th>" }.joined() + "</tr>"
        for kind in kinds {
            rows += "<tr><td>\(kind)</td>" + states.map { state in
                "<td>\(data.jobCounts.first { $0.kind == kind && $0.state == state }?.count ?? 0)</td>"
            }.joined() + "</tr>"
        }
        return "<table>\(rows)</table>"
    }

    static func phaseTable(_ data: ReportData, pooling: String) -> String {
        func tokens(_ t: Int64?) -> String { t.map { SVGLineChart.tokenLabel(Double($0)) } ?? "–" }
        var rows = "<tr><th>model</th><th>collapse ends</th><th>entropy peak</th><th>compression onset</th><th>RankMe start → peak → final</th></tr>"
        for model in data.models {
            guard let p = data.phases.first(where: { $0.model == model.name && $0.layer == model.layers && $0.pooling == pooling }) else { continue }
            rows += "<tr><td>\(SVGText.escape(model.name))</td><td>\(tokens(p.collapseEnd))</td><td>\(tokens(p.peak))</td><td>\(tokens(p.onset))</td>"
                + String(format: "<td>%.1f → %.1f → %.1f</td></tr>", p.initial, p.peakValue, p.final)
        }
        return "<table>\(rows)</table>"
    }
}
