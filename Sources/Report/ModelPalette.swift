import Foundation

/// One distinct colour per model. Each lineage owns an arc of hues in OKLab's polar form
/// (OKLCH): Pythia the cool arc (green → blue → violet), OLMo the warm one (amber → red),
/// OLMo-2 the magentas. Within a lineage the models, ordered by size, step along the arc
/// from light to dark, so a family reads as one ramp while neighbouring sizes still differ
/// in both hue and lightness (eight Pythia sizes stay apart; see ReportPaletteTests).
struct ModelPalette {
    /// An arc: hue and lightness at the smallest and the largest model of a lineage.
    struct Arc {
        var hues: (Double, Double)
        var lightness: (Double, Double)
        var chroma: Double
    }

    static let arcs: [String: Arc] = [
        "pythia": Arc(hues: (125, 305), lightness: (0.82, 0.33), chroma: 0.16),
        "olmo": Arc(hues: (75, 25), lightness: (0.78, 0.52), chroma: 0.17),
        "olmo2": Arc(hues: (355, 335), lightness: (0.72, 0.45), chroma: 0.16),
    ]
    /// Lineages without an arc of their own take these, in order of first appearance.
    static let spareArcs: [Arc] = [
        Arc(hues: (95, 115), lightness: (0.70, 0.40), chroma: 0.12),
        Arc(hues: (40, 60), lightness: (0.60, 0.35), chroma: 0.06),
    ]

    /// `#rrggbb` per model name; `models` in report order (lineage, then size).
    static func colors(for models: [(name: String, lineage: String)]) -> [String: String] {
        var lineages: [String] = []
        for model in models where !lineages.contains(model.lineage) { lineages.append(model.lineage) }
        var result: [String: String] = [:]
        var spare = 0
        for lineage in lineages {
            let arc: Arc
            if let known = arcs[lineage] {
                arc = known
            } else {
                arc = spareArcs[spare % spareArcs.count]
                spare += 1
            }
            let members = models.filter { $0.lineage == lineage }
            for (i, model) in members.enumerated() {
                // A lone model takes the middle of its arc; n models spread over all of it.
                let t = members.count == 1 ? 0.5 : Double(i) / Double(members.count - 1)
                let hue = arc.hues.0 + (arc.hues.1 - arc.hues.0) * t
                let lightness = arc.lightness.0 + (arc.lightness.1 - arc.lightness.0) * t
                result[model.name] = hex(oklch: lightness, chroma: arc.chroma, hue: hue)
            }
        }
        return result
    }

    /// The sRGB colour nearest to an OKLCH one: chroma is reduced until the colour fits the gamut.
    static func hex(oklch lightness: Double, chroma: Double, hue: Double) -> String {
        var c = chroma
        while c > 0 {
            if let rgb = srgb(lightness: lightness, a: c * cos(hue * .pi / 180), b: c * sin(hue * .pi / 180)) {
                return "#" + rgb.map { String(format: "%02x", Int(($0 * 255).rounded())) }.joined()
            }
            c -= 0.005
        }
        let grey = Int((min(max(lightness, 0), 1) * 255).rounded())
        return "#" + String(repeating: String(format: "%02x", grey), count: 3)
    }

    /// OKLab → gamma-encoded sRGB in 0…1 (Björn Ottosson's published matrices), nil when out of gamut.
    static func srgb(lightness: Double, a: Double, b: Double) -> [Double]? {
        let l = pow(lightness + 0.3963377774 * a + 0.2158037573 * b, 3)
        let m = pow(lightness - 0.1055613458 * a - 0.0638541728 * b, 3)
        let s = pow(lightness - 0.0894841775 * a - 1.2914855480 * b, 3)
        let linear = [
            4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
            -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
            -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s,
        ]
        guard linear.allSatisfy({ $0 >= -1e-4 && $0 <= 1 + 1e-4 }) else { return nil }
        return linear.map { v in
            let x = min(max(v, 0), 1)
            return x <= 0.0031308 ? 12.92 * x : 1.055 * pow(x, 1 / 2.4) - 0.055
        }
    }

    /// The OKLab coordinates of `#rrggbb` (for tests of distinguishability).
    static func oklab(_ hex: String) -> (Double, Double, Double)? {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return nil }
        let channels = [Double((value >> 16) & 0xff), Double((value >> 8) & 0xff), Double(value & 0xff)].map { c -> Double in
            let x = c / 255
            return x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4)
        }
        let (r, g, b) = (channels[0], channels[1], channels[2])
        let l = cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b)
        let m = cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b)
        let s = cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b)
        return (0.2104542553 * l + 0.7936177850 * m - 0.0040720468 * s,
                1.9779984951 * l - 2.4285922050 * m + 0.4505937099 * s,
                0.0259040371 * l + 0.7827717662 * m - 0.8086757660 * s)
    }
}
