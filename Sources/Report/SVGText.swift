import Foundation

/// The few SVG elements the report draws, escaped, accumulated into one document.
struct SVGText {
    private var body: [String] = []
    let width: Double
    let height: Double
    /// Extra attributes of the root element, each with a leading space.
    var attributes = ""

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

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2.2, dash: String? = nil) {
        guard !points.isEmpty else { return }
        let dashAttribute = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        let coordinates = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body.append("<polyline class=\"series\" points=\"\(coordinates)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(width)\"\(dashAttribute)/>")
    }

    /// Data points: dots that the page's style shows on hover, each with its details as a tooltip.
    mutating func points(_ points: [(x: Double, y: Double, title: String)], fill: String) {
        guard !points.isEmpty else { return }
        body.append("<g class=\"pts\" fill=\"\(fill)\">" + points.map {
            "<circle cx=\"\(Self.n($0.x))\" cy=\"\(Self.n($0.y))\" r=\"4\"><title>\(Self.escape($0.title))</title></circle>"
        }.joined() + "</g>")
    }

    /// Markup already escaped and well formed (the heatmap's cells).
    mutating func raw(_ markup: String) {
        body.append(markup)
    }

    mutating func text(x: Double, y: Double, _ content: String, anchor: String, size: Double, weight: String = "400",
                       fill: String = "#222222", rotate: Bool = false) {
        let transform = rotate ? " transform=\"rotate(-90 \(Self.n(x)) \(Self.n(y)))\"" : ""
        body.append("<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\" font-weight=\"\(weight)\" fill=\"\(fill)\"\(transform)>\(Self.escape(content))</text>")
    }

    /// The document; it scales to the width of its container (the page's style sets
    /// `width: 100%`), keeping its aspect ratio, so no figure is wider than the page.
    func finish() -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(Int(width.rounded(.up))) \(Int(height.rounded(.up)))\" font-family=\"sans-serif\"\(attributes)>"
            + body.joined() + "</svg>"
    }
}
