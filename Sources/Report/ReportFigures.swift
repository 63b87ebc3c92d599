import Jobs
import Foundation

/// The report's figures, each as HTML: an SVG (or a grid of them) and its caption.
struct ReportFigures {
    let data: ReportData
    let pooling: String
    /// The points of one model, source and metric, grouped once.
    private let index: [String: [ReportData.Point]]

    /// Above this many models one chart with phase markers for all would be a tangle: the
    /// overview drops its markers and a small multiple (a panel per model) follows.
    static let modelsPerChart = 4

    init(_ data: ReportData) {
        self.data = data
        pooling = data.headlinePooling
        index = Dictionary(grouping: data.points) { Self.key($0.model, $0.source, $0.metric) }
    }

    private static func key(_ model: String, _ source: String, _ metric: String) -> String { "\(model)\u{1}\(source)\u{1}\(metric)" }

    private func points(_ model: String, _ source: String, _ metric: MetricKey) -> [ReportData.Point] {
        index[Self.key(model, source, metric.rawValue)] ?? []
    }

    static func figure(_ caption: String, _ body: String) -> String {
        "<figure>\(body)<figcaption>\(SVGText.escape(caption))</figcaption></figure>"
    }

    /// A metric at the final hidden state: every model in one chart, then (for many
    /// models) a panel per model with the others in grey and its phase boundaries.
    func finalLayer(_ metric: MetricKey, caption: String, phases: Bool) -> String {
        let label = metric.label
        var series: [SVGLineChart.Series] = []
        var markers: [String: [SVGLineChart.Marker]] = [:]
        for model in data.models {
            let found = points(model.name, "representation", metric).filter { $0.pooling == pooling && $0.layer == model.layers }
                .sorted { $0.tokens < $1.tokens }
            guard !found.isEmpty else { continue }
            let color = data.color(of: model.name)
            series.append(.init(name: model.name, color: color, points: found.map { (Double($0.tokens), $0.value) },
                                details: found.map { Self.detail($0, label: label) }))
            guard phases, let p = data.phases.first(where: { $0.model == model.name && $0.layer == model.layers && $0.pooling == pooling })
            else { continue }
            markers[model.name] = [(p.collapseEnd, "C"), (p.peak, "P"), (p.onset, "O")].compactMap { tokens, tag in
                tokens.map { SVGLineChart.Marker(x: Double($0), color: color, label: tag) }
            }
        }
        let many = series.count > Self.modelsPerChart
        let overview = SVGLineChart(title: "\(label) at the final hidden state", yLabel: label, series: series,
                                    markers: many ? [] : series.flatMap { markers[$0.name] ?? [] }).render()
        let markerNote = phases ? "; dashed lines: warmup-collapse end (C), entropy-seeking peak (P), compression onset (O)" : ""
        guard many else { return Self.figure(caption + markerNote, overview) }
        let ys = series.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        let range = (ys.min() ?? 0, ys.max() ?? 1)
        let panels = series.map { one in
            SVGLineChart(title: one.name, yLabel: label, series: [one], markers: markers[one.name] ?? [],
                         context: series.filter { $0.name != one.name }.map { SVGLineChart.Series(name: $0.name, color: "", points: $0.points) },
                         yRange: range, legend: false, titleColor: one.color, width: 400, height: 260).render()
        }
        return Self.figure(caption + "; below, one panel per model", overview)
            + Self.multiples(panels, caption: "\(label) at the final hidden state, one panel per model (the others in grey), on a shared scale"
                             + markerNote)
    }

    /// RankMe by hidden state and checkpoint for one model.
    func heatmap(_ model: ReportData.Model) -> String {
        let found = points(model.name, "representation", .rankme).filter { $0.pooling == pooling }
        var columns: [Int64: String] = [:]
        for p in found { columns[p.tokens] = p.revision }
        let tokens = columns.keys.sorted()
        let layers = Array(Set(found.map(\.layer))).sorted()
        let columnIndex = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($1, $0) })
        let rowIndex = Dictionary(uniqueKeysWithValues: layers.enumerated().map { ($1, $0) })
        var values = Array(repeating: Array(repeating: Double?.none, count: tokens.count), count: layers.count)
        for p in found {
            if let r = rowIndex[p.layer], let c = columnIndex[p.tokens] { values[r][c] = p.value }
        }
        let svg = SVGHeatmap(title: "RankMe by hidden state: \(model.name)", model: model.name, rowLabels: layers.map { "h\($0)" },
                             columns: tokens.map { SVGHeatmap.Column(revision: columns[$0] ?? "", tokens: $0) },
                             values: values, valueLabel: "RankMe").render()
        return Self.figure("RankMe by hidden state (h0 = embeddings, bottom) and checkpoint: \(model.name), \(pooling) pooling", svg)
    }

    /// Weight-ESD power-law α over training, a panel per model: one line per block, or per
    /// quarter of depth (the mean of its blocks) when a model has more than eight blocks.
    func weights() -> String? {
        var panels: [SVGLineChart] = []
        for model in data.models {
            let found = points(model.name, "weights", .powerlawAlpha)
            guard !found.isEmpty else { continue }
            let blocks = Array(Set(found.map(\.layer))).sorted()
            let bands: [[Int]] = blocks.count <= 8 ? blocks.map { [$0] }
                : (0..<4).map { q in Array(blocks[(q * blocks.count / 4)..<((q + 1) * blocks.count / 4)]) }
            let series = bands.enumerated().map { i, band in
                let inBand = found.filter { band.contains($0.layer) }
                let byTokens = Dictionary(grouping: inBand, by: \.tokens).sorted { $0.key < $1.key }
                let name = band.count == 1 ? "block \(band[0])" : "blocks \(band[0])–\(band[band.count - 1])"
                let means = byTokens.map { ($0.key, $0.value.map(\.value).reduce(0, +) / Double($0.value.count), $0.value[0].revision) }
                return SVGLineChart.Series(
                    name: name, color: SVGHeatmap.color(bands.count > 1 ? Double(i) / Double(bands.count - 1) * 0.85 : 0.3),
                    points: means.map { (Double($0.0), $0.1) },
                    details: means.map { "\(model.name) \(name), \($0.2) (\(SVGHeatmap.tokenLabel($0.0)) tokens): α \(String(format: "%.4g", $0.1))" })
            }
            panels.append(SVGLineChart(title: model.name, yLabel: "α (mean over matrices)", series: series, legend: false,
                                       titleColor: data.color(of: model.name), width: 400, height: 260))
        }
        guard !panels.isEmpty else { return nil }
        let ys = panels.flatMap { $0.series.flatMap { $0.points.map(\.y) } }.filter(\.isFinite)
        let range = (ys.min() ?? 0, ys.max() ?? 1)
        return Self.multiples(panels.map { var p = $0; p.yRange = range; return p.render() },
                              caption: "Weight-spectrum power-law α over training, one panel per model on a shared scale: a line per block, or per "
                                + "quarter of depth (the mean of its blocks) above eight blocks, dark for the first and yellow for the last; "
                                + "hover a point for its blocks")
    }

    static func multiples(_ panels: [String], caption: String) -> String {
        figure(caption, "<div class=\"multiples\">" + panels.map { "<div>\($0)</div>" }.joined() + "</div>")
    }

    /// A point's tooltip: model, revision, tokens, value.
    static func detail(_ p: ReportData.Point, label: String) -> String {
        "\(p.model) \(p.revision) (\(SVGHeatmap.tokenLabel(p.tokens)) tokens): \(label) \(String(format: "%.4g", p.value))"
    }
}
