import Foundation
import Pipeline
import Postgres
@testable import Report
import SpectraTestSupport
import Testing

/// The report at the size of the full grid (ten models, 154 checkpoints each), as a reader
/// at a 1,280-pixel-wide window sees it in headless Chromium.
@Suite("Report layout")
struct ReportLayoutTests {
    @Test("a dozen models get a dozen distinguishable colours, each family ordered by shade")
    func palette() throws {
        let names = ["70m", "160m", "410m", "1b", "1.4b", "2.8b", "6.9b", "12b"].map { ("pythia-\($0)", "pythia") }
            + [("olmo-1b", "olmo"), ("olmo-7b", "olmo"), ("olmo2-1b", "olmo2"), ("olmo2-7b", "olmo2")]
        let colors = ModelPalette.colors(for: names)
        let labs = names.compactMap { colors[$0.0].flatMap(ModelPalette.oklab) }
        try #require(labs.count == names.count)
        // OKLab distance: about 0.02 is a just-noticeable difference for flat patches; 0.05
        // keeps 2-px lines apart (oracle: the OKLab conversion below, its published matrices).
        for i in labs.indices {
            for j in labs.indices where j > i {
                let d = sqrt(pow(labs[i].0 - labs[j].0, 2) + pow(labs[i].1 - labs[j].1, 2) + pow(labs[i].2 - labs[j].2, 2))
                #expect(d >= 0.05, "\(names[i].0) \(colors[names[i].0]!) and \(names[j].0) \(colors[names[j].0]!) are \(d) apart")
            }
        }
        // Larger Pythia models are darker (OKLab L strictly decreasing), so size reads as shade.
        for i in 1..<8 { #expect(labs[i].0 < labs[i - 1].0, "\(names[i].0) should be darker than \(names[i - 1].0)") }
        // The round trip OKLCH → sRGB hex → OKLab lands within 8-bit rounding (0.01) of the requested lightness.
        let lone = ModelPalette.hex(oklch: 0.6, chroma: 0.1, hue: 200)
        #expect(abs(try #require(ModelPalette.oklab(lone)).0 - 0.6) < 0.01)
    }

    @Test("a heatmap with more checkpoints than fit merges neighbours into means")
    func mergedColumns() {
        let columns = (0..<10).map { SVGHeatmap.Column(revision: "step\($0)", tokens: Int64($0) * 100) }
        let row: [Double?] = [1, 2, 3, nil, nil, nil, 7, 8, 9, 10]
        let merged = SVGHeatmap.merge(columns: columns, values: [row], into: 4)
        // Groups of ceil(10 / 4) = 3: exact means of small integers (tolerance 0).
        #expect(merged.columns.map(\.revision) == ["step0–step2", "step3–step5", "step6–step8", "step9–step9"])
        #expect(merged.columns.map(\.tokens) == [200, 500, 800, 900])
        #expect(merged.values == [[2, nil, 8, 10]])
        #expect(SVGHeatmap.merge(columns: columns, values: [row], into: 10).values == [row])
    }

    @Test("the full grid's report fits 1,280 px, shows every model's colour and stays a few MB",
          .enabled(if: ReportTests.chromium != nil, "Debian's chromium is not installed (scripts/test installs it as root)"))
    func fullGrid() throws {
        let url = try TestSupport.migratedDatabase()
        try FullGridResults.write(url: url)
        // Every view, as `spectra aggregate` brings them up to date (migration 0018).
        try Aggregator(logger: TestSupport.logger).refreshAll(url: url)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("report-grid-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let path = try Report.write(url: url, run: "full-grid", to: out.path)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        defer {
            // SPECTRA_KEEP_REPORT=DIR keeps the page, its probe and screenshot for a person to look at.
            if let keep = ProcessInfo.processInfo.environment["SPECTRA_KEEP_REPORT"] {
                try? FileManager.default.removeItem(atPath: keep)
                try? FileManager.default.copyItem(at: out, to: URL(fileURLWithPath: keep))
            }
        }
        let megabytes = Double(html.utf8.count) / 1_000_000
        #expect(megabytes < 4, "the full grid's report is \(megabytes) MB")
        let colors = ModelPalette.colors(for: FullGridResults.models.map { ($0.name, $0.family) })
        #expect(Set(colors.values).count == FullGridResults.models.count)
        // Every model has a line in its colour and a tooltip naming it with a revision.
        for model in FullGridResults.models {
            let color = try #require(colors[model.name])
            #expect(html.contains("stroke=\"\(color)\""), "no line in \(model.name)'s colour \(color)")
        }
        #expect(html.contains("olmo-7b step153000-tokens641B (642B tokens): RankMe"))

        // A copy with a probe that writes what the laid-out page measures into the DOM.
        let probe = out.appendingPathComponent("probe.html")
        let script = """
            <script>
            const wide = [...document.querySelectorAll('svg, table, figure')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).length;
            const hm = document.querySelector('svg[data-heatmap]');
            const [x0, y0, w, h] = hm.dataset.heatmap.split(' ').map(Number);
            const q = new DOMPoint(x0 + w / 2, y0 + h / 2).matrixTransform(hm.getScreenCTM());
            hm.dispatchEvent(new MouseEvent('mousemove', {clientX: q.x, clientY: q.y, bubbles: true}));
            const tip = document.querySelector('.tip').textContent;
            const strokes = [...new Set([...document.querySelectorAll('polyline.series')].map(p => p.getAttribute('stroke')))];
            document.body.insertAdjacentHTML('beforeend', '<pre id="probe">' + JSON.stringify({scroll: document.documentElement.scrollWidth,
              inner: window.innerWidth, wide: wide, strokes: strokes, tip: tip}) + '</pre>');
            </script></body>
            """
        try html.replacingOccurrences(of: "</body>", with: script).write(to: probe, atomically: true, encoding: .utf8)
        let chromium = try #require(ReportTests.chromium)
        let dom = try SpectraExecutable.runProgram(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,1000",
            "--dump-dom", probe.absoluteString])
        let json = try #require(dom.stdout.range(of: "<pre id=\"probe\">", options: .backwards).map { start in
            String(dom.stdout[start.upperBound...].prefix { $0 != "<" })
        }, "chromium printed no probe: \(dom.stderr.suffix(400))")
        let measured = try #require(try JSONSerialization.jsonObject(with: Data(json.replacingOccurrences(of: "&quot;", with: "\"").utf8)) as? [String: Any])
        let scroll = try #require(measured["scroll"] as? Int), inner = try #require(measured["inner"] as? Int)
        #expect(inner == 1280)
        #expect(scroll <= inner, "the page scrolls sideways: \(scroll) px of content in a \(inner) px window")
        #expect(measured["wide"] as? Int == 0, "figures wider than the window: \(measured)")
        // Hovering the first heatmap's top-left cell names the smallest model's last hidden state at step0.
        let tip = measured["tip"] as? String ?? ""
        #expect(tip.hasPrefix("pythia-70m h6, step0 (0 tokens): RankMe "), "tooltip: \(tip)")
        let strokes = Set(measured["strokes"] as? [String] ?? [])
        for model in FullGridResults.models { #expect(strokes.contains(colors[model.name] ?? "?"), "\(model.name) not drawn") }

        // The first screen, as pixels: the overview chart draws every model's colour.
        let png = out.appendingPathComponent("top.png")
        let shot = try SpectraExecutable.runProgram(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,1000",
            "--screenshot=\(png.path)", out.appendingPathComponent("index.html").absoluteString])
        #expect(FileManager.default.fileExists(atPath: png.path), "chromium: \(shot.stderr.suffix(400))")
        let ordered = FullGridResults.models.map { colors[$0.name] ?? "#000000" }
        let stats = try SpectraExecutable.runProgram("/usr/bin/env", [
            "python3", SpectraExecutable.repositoryRoot.appendingPathComponent("tools/png_stats.py").path,
            "--tolerance", "6", png.path] + ordered)
        let counts = try #require((try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])?["matches"] as? [Int],
                                  "\(stats.stderr)")
        // A 2.2-px line across a 1,000-px plot covers thousands of pixels; 100 leaves room for overdraw.
        for (model, count) in zip(FullGridResults.models, counts) { #expect(count > 100, "\(model.name): \(count) pixels in its colour") }
    }
}
