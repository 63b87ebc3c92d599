import Foundation

/// A line chart as standalone SVG: tokens on a log axis (a zero is drawn half a decade
/// left of the smallest positive value, labelled 0), linear y, an optional legend, grey
/// context lines (the other models, in a small multiple), optional vertical markers (phase
/// boundaries) and a hover tooltip on every point that has a detail line.
struct SVGLineChart {
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
        var dashed = false
        /// One tooltip per point (model, revision, tokens, value); empty: no hover targets.
        var details: [String] = []
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
    /// Drawn thin and grey beneath `series`, without legend or hover; they set the axes too.
    var context: [Series] = []
    /// Fixed y bounds (shared by the panels of a small multiple); nil: fitted to the data.
    var yRange: (Double, Double)?
    var legend = true
    var titleColor = "#222222"
    var width = 1000.0
    var height = 400.0

    private let left = 64.0, top = 36.0, bottom = 48.0

    /// Room for the legend: the longest name at about 6.6 px a character at 11 px.
    private var right: Double {
        guard legend else { return 16 }
        return 56 + 6.6 * Double(series.map(\.name.count).max() ?? 8)
    }

    func render() -> String {
        let all = series + context
        let xs = all.flatMap { $0.points.map(\.x) }
        let ys = all.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        var svg = SVGText(width: width, height: height)
        svg.text(x: left, y: 22, title, anchor: "start", size: 15, weight: "600", fill: titleColor)
        guard let positive = xs.filter({ $0 > 0 }).min(), let xMaxRaw = xs.max(), let yMinRaw = ys.min(), let yMaxRaw = ys.max() else {
            svg.text(x: width / 2, y: height / 2, "no data", anchor: "middle", size: 13)
            return svg.finish()
        }
        let zeroAt = log10(positive) - 0.5
        let xMin = xs.contains(0) ? zeroAt : log10(positive), xMax = max(log10(max(xMaxRaw, positive)), xMin + 1e-9)
        let (yMin, yMax, yTicks) = Self.niceRange(yRange?.0 ?? yMinRaw, yRange?.1 ?? yMaxRaw)
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Double { left + ((x > 0 ? log10(x) : zeroAt) - xMin) / (xMax - xMin) * plotW }
        func py(_ y: Double) -> Double { top + (1 - (y - yMin) / (yMax - yMin)) * plotH }

        svg.rect(x: left, y: top, w: plotW, h: plotH, fill: "#ffffff", stroke: "#999999")
        for tick in yTicks {
            svg.line(x1: left, y1: py(tick), x2: left + plotW, y2: py(tick), stroke: "#e6e6e6")
            svg.text(x: left - 6, y: py(tick) + 4, Self.format(tick), anchor: "end", size: 11)
        }
        // Decade labels sit at least 44 px apart; on a narrow panel every other one is dropped.
        let (firstDecade, lastDecade) = (Int(ceil(xMin)), Int(floor(xMax + 1e-9)))
        let decades = firstDecade <= lastDecade ? Array(firstDecade...lastDecade) : []
        let pxPerDecade = plotW / (xMax - xMin)
        let every = max(1, Int(ceil(44 / max(pxPerDecade, 1))))
        for decade in decades {
            let x = left + (Double(decade) - xMin) / (xMax - xMin) * plotW
            svg.line(x1: x, y1: top, x2: x, y2: top + plotH, stroke: "#eeeeee")
            // "0" owns the left edge; a decade label closer than 30 px to it gives way.
            let nearZero = xs.contains(0) && x - px(0) < 30
            if decade % every == 0 && !nearZero {
                svg.text(x: x, y: top + plotH + 16, Self.tokenLabel(pow(10, Double(decade))), anchor: "middle", size: 11)
            }
        }
        if xs.contains(0) { svg.text(x: px(0), y: top + plotH + 16, "0", anchor: "middle", size: 11) }
        svg.text(x: left + plotW / 2, y: height - 10, xLabel + " (log scale)", anchor: "middle", size: 12)
        svg.text(x: 16, y: top + plotH / 2, yLabel, anchor: "middle", size: 12, rotate: true)

        for s in context {
            svg.polyline(Self.sorted(s.points).map { (px($0.x), py($0.y)) }, stroke: "#d0d0d0", width: 1.2)
        }
        // A label closer than 14 px to the previous one steps down a line instead of covering it.
        var previous: (x: Double, row: Int)?
        for marker in markers.sorted(by: { $0.x < $1.x }) {
            let x = px(marker.x)
            let row = previous.map { x - $0.x < 14 ? $0.row + 1 : 0 } ?? 0
            previous = (x, row)
            svg.line(x1: x, y1: top, x2: x, y2: top + plotH, stroke: marker.color, dash: "4 3", cssClass: "marker")
            svg.text(x: x + 3, y: top + 12 + 12 * Double(row), marker.label, anchor: "start", size: 10, fill: marker.color)
        }
        for s in series {
            svg.polyline(Self.sorted(s.points).map { (px($0.x), py($0.y)) }, stroke: s.color, dash: s.dashed ? "6 3" : nil)
        }
        // Hover targets last, so that no line covers them.
        for s in series where s.details.count == s.points.count {
            svg.points(zip(s.points, s.details).filter { $0.0.y.isFinite }.map { (px($0.0.x), py($0.0.y), $0.1) }, fill: s.color)
        }
        if legend {
            for (i, s) in series.enumerated() {
                let y = top + 10 + Double(i) * 18
                svg.line(x1: width - right + 12, y1: y, x2: width - right + 36, y2: y, stroke: s.color, width: 3, dash: s.dashed ? "6 3" : nil)
                svg.text(x: width - right + 42, y: y + 4, s.name, anchor: "start", size: 11)
            }
        }
        return svg.finish()
    }

    static func sorted(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        points.filter { $0.y.isFinite }.sorted { $0.x < $1.x }
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
