import Foundation

/// The few SVG elements the report draws, escaped, accumulated into one document.
struct SVGText {
    private var body: [String] = []
    let width: Double
    let height: Double

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private static func n(_ x: Double) -> String { String(format: "%.1f", x) }

    mutating func rect(x: Double, y: Double, w: Double, h: Double, fill: String, stroke: String? = nil, title: String? = nil) {
        let strokeAttribute = stroke.map { " stroke=\"\($0)\"" } ?? ""
        let tooltip = title.map { "<title>\(Self.escape($0))</title>" } ?? ""
        body.append("<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(w))\" height=\"\(Self.n(h))\" fill=\"\(fill)\"\(strokeAttribute)>\(tooltip)</rect>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
                       dash: String? = nil, cssClass: String? = nil) {
        let dashAttribute = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        let classAttribute = cssClass.map { " class=\"\($0)\"" } ?? ""
        body.append("<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(width)\"\(dashAttribute)\(classAttribute)/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, dash: String? = nil) {
        guard !points.isEmpty else { return }
        let dashAttribute = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        let coordinates = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body.append("<polyline class=\"series\" points=\"\(coordinates)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"2.2\"\(dashAttribute)/>")
        for (x, y) in points {
            body.append("<circle cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"2.6\" fill=\"\(stroke)\"/>")
        }
    }

    mutating func text(x: Double, y: Double, _ content: String, anchor: String, size: Double, weight: String = "400",
                       fill: String = "#222222", rotate: Bool = false) {
        let transform = rotate ? " transform=\"rotate(-90 \(Self.n(x)) \(Self.n(y)))\"" : ""
        body.append("<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\" font-weight=\"\(weight)\" fill=\"\(fill)\"\(transform)>\(Self.escape(content))</text>")
    }

    func finish() -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\">"
            + body.joined() + "</svg>"
    }
}
