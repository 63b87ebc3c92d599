import Foundation

/// A layer × checkpoint heatmap as standalone SVG; each cell's colour runs over a
/// perceptually ordered ramp (dark blue → yellow) between the grid's minimum and maximum.
struct SVGHeatmap {
    var title: String
    var rowLabels: [String]
    var columnLabels: [String]
    /// values[row][column]; nil cells stay grey.
    var values: [[Double?]]
    var valueLabel: String

    func render() -> String {
        let cell = min(28.0, max(10.0, 520.0 / Double(max(columnLabels.count, 1))))
        let rowHeight = min(22.0, max(8.0, 300.0 / Double(max(rowLabels.count, 1))))
        let left = 70.0, top = 36.0
        let width = left + cell * Double(columnLabels.count) + 110
        let height = top + rowHeight * Double(rowLabels.count) + 70
        var svg = SVGText(width: width, height: height)
        svg.text(x: left, y: 22, title, anchor: "start", size: 15, weight: "600")
        let finite = values.flatMap { $0 }.compactMap { $0 }.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else {
            svg.text(x: width / 2, y: height / 2, "no data", anchor: "middle", size: 13)
            return svg.finish()
        }
        for (r, row) in values.enumerated() {
            // Row 0 (embeddings) at the bottom, the last hidden state on top.
            let y = top + rowHeight * Double(rowLabels.count - 1 - r)
            for (c, value) in row.enumerated() {
                let x = left + cell * Double(c)
                let fill = value.map { Self.color(high > low ? ($0 - low) / (high - low) : 0.5) } ?? "#dddddd"
                svg.rect(x: x, y: y, w: cell, h: rowHeight, fill: fill,
                         title: "\(rowLabels[r]), \(columnLabels[c]): \(value.map { String(format: "%.4g", $0) } ?? "–")")
            }
            if rowLabels.count <= 20 || r % max(1, rowLabels.count / 10) == 0 {
                svg.text(x: left - 6, y: y + rowHeight / 2 + 4, rowLabels[r], anchor: "end", size: 10)
            }
        }
        let stride = max(1, columnLabels.count / 8)
        for (c, label) in columnLabels.enumerated() where c % stride == 0 || c == columnLabels.count - 1 {
            let x = left + cell * (Double(c) + 0.5)
            svg.text(x: x, y: top + rowHeight * Double(rowLabels.count) + 14, label, anchor: "middle", size: 9)
        }
        svg.text(x: left + cell * Double(columnLabels.count) / 2, y: height - 14, "checkpoint (tokens seen)", anchor: "middle", size: 12)
        let legendX = left + cell * Double(columnLabels.count) + 20
        for i in 0..<10 {
            svg.rect(x: legendX, y: top + Double(9 - i) * 14, w: 16, h: 14, fill: Self.color(Double(i) / 9))
        }
        svg.text(x: legendX + 22, y: top + 10, String(format: "%.3g", high), anchor: "start", size: 10)
        svg.text(x: legendX + 22, y: top + 140, String(format: "%.3g", low), anchor: "start", size: 10)
        svg.text(x: legendX, y: top + 160, valueLabel, anchor: "start", size: 10)
        return svg.finish()
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
