import Foundation

/// A line chart as standalone SVG: tokens on a log axis (a zero is drawn half a decade
/// left of the smallest positive value, labelled 0), linear y, a legend and optional
/// vertical markers (phase boundaries).
struct SVGLineChart {
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
        var dashed = false
    }

    struct Marker {
        var x: Double
        var color: String
        var label: String
    }

    var title: String
    var xLabel = "tokens seen"
    var yLabel: String
    var series: [Series]
    var markers: [Marker] = []
    var width = 680.0
    var height = 380.0

    private let left = 64.0, right = 170.0, top = 36.0, bottom = 48.0

    func render() -> String {
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        var svg = SVGText(width: width, height: height)
        svg.text(x: width / 2 - right / 2 + left / 2, y: 22, title, anchor: "middle", size: 15, weight: "600")
        guard let positive = xs.filter({ $0 > 0 }).min(), let xMaxRaw = xs.max(), let yMinRaw = ys.min(), let yMaxRaw = ys.max() else {
            svg.text(x: width / 2, y: height / 2, "no data", anchor: "middle", size: 13)
            return svg.finish()
        }
        let zeroAt = log10(positive) - 0.5
        let xMin = xs.contains(0) ? zeroAt : log10(positive), xMax = max(log10(max(xMaxRaw, positive)), xMin + 1e-9)
        let (yMin, yMax, yTicks) = Self.niceRange(yMinRaw, yMaxRaw)
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Double { left + ((x > 0 ? log10(x) : zeroAt) - xMin) / (xMax - xMin) * plotW }
        func py(_ y: Double) -> Double { top + (1 - (y - yMin) / (yMax - yMin)) * plotH }

        svg.rect(x: left, y: top, w: plotW, h: plotH, fill: "#ffffff", stroke: "#999999")
        for tick in yTicks {
            svg.line(x1: left, y1: py(tick), x2: left + plotW, y2: py(tick), stroke: "#e6e6e6")
            svg.text(x: left - 6, y: py(tick) + 4, Self.format(tick), anchor: "end", size: 11)
        }
        var decade = Int(ceil(xMin))
        while Double(decade) <= xMax + 1e-9 {
            let x = left + (Double(decade) - xMin) / (xMax - xMin) * plotW
            svg.line(x1: x, y1: top, x2: x, y2: top + plotH, stroke: "#eeeeee")
            svg.text(x: x, y: top + plotH + 16, Self.tokenLabel(pow(10, Double(decade))), anchor: "middle", size: 11)
            decade += 1
        }
        if xs.contains(0) { svg.text(x: px(0), y: top + plotH + 16, "0", anchor: "middle", size: 11) }
        svg.text(x: left + plotW / 2, y: height - 10, xLabel + " (log scale)", anchor: "middle", size: 12)
        svg.text(x: 16, y: top + plotH / 2, yLabel, anchor: "middle", size: 12, rotate: true)

        for marker in markers {
            let x = px(marker.x)
            svg.line(x1: x, y1: top, x2: x, y2: top + plotH, stroke: marker.color, dash: "4 3", cssClass: "marker")
            svg.text(x: x + 3, y: top + 12, marker.label, anchor: "start", size: 10, fill: marker.color)
        }
        for s in series {
            let points = s.points.filter { $0.y.isFinite }.sorted { $0.x < $1.x }
            svg.polyline(points.map { (px($0.x), py($0.y)) }, stroke: s.color, dash: s.dashed ? "6 3" : nil)
        }
        for (i, s) in series.enumerated() {
            let y = top + 10 + Double(i) * 18
            svg.line(x1: width - right + 12, y1: y, x2: width - right + 36, y2: y, stroke: s.color, width: 2.5, dash: s.dashed ? "6 3" : nil)
            svg.text(x: width - right + 42, y: y + 4, s.name, anchor: "start", size: 11)
        }
        return svg.finish()
    }

    /// Bounds padded to round numbers, with about five ticks.
    static func niceRange(_ low: Double, _ high: Double) -> (Double, Double, [Double]) {
        var (lo, hi) = (low, high)
        if hi - lo < 1e-12 { lo -= max(abs(lo) * 0.05, 0.5); hi += max(abs(hi) * 0.05, 0.5) }
        let raw = (hi - lo) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        let start = floor(lo / step) * step, end = ceil(hi / step) * step
        let ticks = stride(from: start, through: end + step / 2, by: step).map { $0 }
        return (start, end, ticks)
    }

    static func tokenLabel(_ tokens: Double) -> String {
        let units: [(Double, String)] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")]
        for (scale, unit) in units where tokens >= scale { return "\(Int((tokens / scale).rounded()))\(unit)" }
        return "\(Int(tokens))"
    }

    static func format(_ value: Double) -> String {
        abs(value) >= 100 ? String(format: "%.0f", value) : String(format: "%.3g", value)
    }
}
