import Foundation

/// A layer × checkpoint heatmap as standalone SVG, as wide as the page: each cell's colour
/// runs over a perceptually ordered ramp (dark blue → yellow) between the grid's minimum
/// and maximum, and hovering a cell names its model, hidden state, revision, tokens and
/// value (the page's inline script reads them from the SVG's data attributes). Columns narrower than `minimumCellWidth` are merged (means of neighbours), so a
/// long series never makes the figure wider or unreadable.
struct SVGHeatmap {
    struct Column {
        var revision: String
        var tokens: Int64
    }

    var title: String
    /// Named in every tooltip.
    var model: String
    var rowLabels: [String]
    var columns: [Column]
    /// values[row][column]; nil cells stay grey.
    var values: [[Double?]]
    var valueLabel: String
    var width = 1000.0
    var minimumCellWidth = 4.0

    private let left = 56.0, right = 96.0, top = 34.0

    func render() -> String {
        let merged = Self.merge(columns: columns, values: values, into: Int((width - left - right) / minimumCellWidth))
        let plotW = width - left - right
        let cellW = plotW / Double(max(merged.columns.count, 1))
        let rowH = min(14.0, max(6.0, 320.0 / Double(max(rowLabels.count, 1))))
        let plotH = rowH * Double(rowLabels.count)
        let height = top + max(plotH, 110) + 46
        var svg = SVGText(width: width, height: height)
        svg.text(x: left, y: 22, title, anchor: "start", size: 15, weight: "600")
        let finite = merged.values.flatMap { $0 }.compactMap { $0 }.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else {
            svg.text(x: width / 2, y: height / 2, "no data", anchor: "middle", size: 13)
            return svg.finish()
        }
        // Cells in cell units, one path per step of the ramp (integer coordinates and no
        // per-cell element keep a 37 × 154 grid near 20 bytes a cell), scaled into place.
        var paths: [Int: String] = [:]
        for (r, row) in merged.values.enumerated() {
            // Row 0 (embeddings) at the bottom, the last hidden state on top.
            let y = rowLabels.count - 1 - r
            for (c, value) in row.enumerated() {
                let level = value.map { Int(((high > low ? ($0 - low) / (high - low) : 0.5) * Double(Self.levels - 1)).rounded()) } ?? -1
                paths[level, default: ""] += "M\(c) \(y)h1v1h-1z"
            }
        }
        var cells = "<g transform=\"translate(\(left) \(top)) scale(\(String(format: "%.4f", cellW)) \(rowH))\" shape-rendering=\"crispEdges\">"
        for (level, d) in paths.sorted(by: { $0.key < $1.key }) {
            let fill = level < 0 ? "#dddddd" : Self.color(Double(level) / Double(Self.levels - 1))
            cells += "<path fill=\"\(fill)\" d=\"\(d)\"/>"
        }
        svg.raw(cells + "</g>")
        // What the page's hover script reads: the plot's place and each cell's details.
        svg.attributes = hoverAttributes(merged: merged, left: left, cellW: cellW, rowH: rowH, plotH: plotH)
        // Row labels at least 11 px apart, the last hidden state always labelled.
        let rowStride = max(1, Int(ceil(11 / rowH)))
        for r in rowLabels.indices where r % rowStride == 0 || r == rowLabels.count - 1 {
            let y = top + rowH * Double(rowLabels.count - 1 - r)
            svg.text(x: left - 6, y: y + rowH / 2 + 3.5, rowLabels[r], anchor: "end", size: 10)
        }
        // Column labels at least 56 px apart, so that "143000" never runs into its neighbour.
        let columnStride = max(1, Int(ceil(56 / cellW)))
        for (c, column) in merged.columns.enumerated() where c % columnStride == 0 {
            let x = left + cellW * (Double(c) + 0.5)
            svg.line(x1: x, y1: top + plotH, x2: x, y2: top + plotH + 3, stroke: "#666666")
            svg.text(x: x, y: top + plotH + 14, Self.tokenLabel(column.tokens), anchor: "middle", size: 10)
        }
        let note = merged.columns.count < columns.count ? ", \(columns.count) checkpoints in \(merged.columns.count) columns" : ""
        svg.text(x: left + plotW / 2, y: top + plotH + 32, "checkpoint (tokens seen, in training order\(note))", anchor: "middle", size: 11)
        let legendX = left + plotW + 16, legendH = max(plotH, 110) - 20
        for i in 0..<10 {
            svg.rect(x: legendX, y: top + Double(9 - i) * legendH / 10, w: 14, h: legendH / 10 + 0.5, fill: Self.color(Double(i) / 9))
        }
        svg.text(x: legendX + 20, y: top + 9, SVGLineChart.format(high), anchor: "start", size: 10)
        svg.text(x: legendX + 20, y: top + legendH, SVGLineChart.format(low), anchor: "start", size: 10)
        svg.text(x: legendX, y: top + legendH + 16, valueLabel, anchor: "start", size: 10)
        return svg.finish()
    }

    /// Steps of the colour ramp: more than the eye separates in a cell a few pixels wide.
    static let levels = 64

    private func hoverAttributes(merged: (columns: [Column], values: [[Double?]]), left: Double, cellW: Double, rowH: Double,
                                 plotH: Double) -> String {
        func json(_ strings: [String]) -> String {
            "[" + strings.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
                .joined(separator: ",") + "]"
        }
        let columnText = merged.columns.map { "\($0.revision) (\(Self.tokenLabel($0.tokens)) tokens)" }
        // Values row-major from the top row (the last hidden state) down, as drawn.
        let values = merged.values.reversed().flatMap { $0 }.map { v in v.flatMap { $0.isFinite ? String(format: "%.4g", $0) : nil } ?? "null" }
        let plot = [left, top, cellW, rowH].map { String(format: "%.3f", $0) }.joined(separator: " ")
        return " data-heatmap=\"\(SVGText.escape(plot))\" data-model=\"\(SVGText.escape(model))\" data-label=\"\(SVGText.escape(valueLabel))\""
            + " data-rows=\"\(SVGText.escape(json(rowLabels.reversed())))\" data-columns=\"\(SVGText.escape(json(columnText)))\""
            + " data-values=\"[\(values.joined(separator: ","))]\""
    }

    /// At most `limit` columns: consecutive checkpoints merged into groups of equal size,
    /// each cell the mean of its group's values (nil when all are missing).
    static func merge(columns: [Column], values: [[Double?]], into limit: Int) -> (columns: [Column], values: [[Double?]]) {
        guard limit > 0, columns.count > limit else { return (columns, values) }
        let group = (columns.count + limit - 1) / limit
        let starts = Array(stride(from: 0, to: columns.count, by: group))
        let merged = starts.map { start -> Column in
            let end = min(start + group, columns.count) - 1
            return Column(revision: "\(columns[start].revision)–\(columns[end].revision)", tokens: columns[end].tokens)
        }
        let rows = values.map { row in
            starts.map { start -> Double? in
                let present = row[start..<min(start + group, row.count)].compactMap { $0 }.filter(\.isFinite)
                return present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
            }
        }
        return (merged, rows)
    }

    static func tokenLabel(_ tokens: Int64) -> String {
        tokens == 0 ? "0" : SVGLineChart.tokenLabel(Double(tokens))
    }

    /// A viridis-like ramp through five anchor colours, t in 0…1.
    static func color(_ t: Double) -> String {
        let anchors: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        let position = min(max(t, 0), 1) * Double(anchors.count - 1)
        let i = min(Int(position), anchors.count - 2)
        let f = position - Double(i)
        let (a, b) = (anchors[i], anchors[i + 1])
        let rgb = [a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f]
        return "#" + rgb.map { String(format: "%02x", Int($0.rounded())) }.joined()
    }
}
