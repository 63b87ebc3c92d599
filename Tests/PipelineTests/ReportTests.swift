import Foundation
import Queue
import Pipeline
@testable import Report
import SpectraTestSupport
import Testing

/// The report as a reader sees it: rendered by headless Chromium (Debian `chromium`) to a
/// PNG, whose pixels must show the plotted series in their colours.
@Suite("Report")
struct ReportTests {
    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("spectra report writes HTML with every plot, after saying to aggregate first")
    func written() throws {
        let (out, html) = try Self.render()
        defer { try? FileManager.default.removeItem(at: out) }
        #expect(html.components(separatedBy: "<svg").count - 1 >= 2 + 2 + 2)   // 2 line charts, 2 heatmaps, 2 weight charts
        #expect(html.contains("class=\"marker\""))                              // phase boundaries drawn
        #expect(html.contains("tiny-pythia") && html.contains("tiny-olmo"))
    }

    /// A synthetic run, aggregated and reported; returns the output directory and the HTML.
    static func render() throws -> (URL, String) {
        let url = try TestSupport.migratedDatabase()
        try SyntheticResults.write(url: url)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        let env = ["DATABASE_URL": url]
        // Before aggregation the report says what to do instead of drawing empty plots.
        let early = try SpectraExecutable.run(["report", "--run", "synthetic", "--out", out.path], environment: env)
        #expect(early.status != 0 && early.stderr.contains("spectra aggregate"))
        _ = try SpectraExecutable.run(["aggregate"], environment: env)
        let result = try SpectraExecutable.run(["report", "--run", "synthetic", "--out", out.path], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        return (out, try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8))
    }

    @Test("Chromium draws the report's plots", .enabled(if: ReportTests.chromium != nil, "Debian's chromium is not installed (scripts/test installs it as root)"))
    func rendered() throws {
        let (out, _) = try Self.render()
        defer { try? FileManager.default.removeItem(at: out) }
        let chromium = try #require(Self.chromium)
        let png = out.appendingPathComponent("report.png")
        let render = try SpectraExecutable.runProgram(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=0.5",
            "--window-size=1150,2600", "--screenshot=\(png.path)", out.appendingPathComponent("index.html").absoluteString])
        #expect(FileManager.default.fileExists(atPath: png.path), "chromium: \(render.stderr.suffix(400))")
        // Each model's palette colour, and the heatmap ramp's dark and yellow ends.
        let colors = ModelPalette.colors(for: [("tiny-pythia", "pythia"), ("tiny-olmo", "olmo")])
        let stats = try SpectraExecutable.runProgram("/usr/bin/env", [
            "python3", SpectraExecutable.repositoryRoot.appendingPathComponent("tools/png_stats.py").path, png.path,
            colors["tiny-pythia"]!, colors["tiny-olmo"]!, "#440154", "#fde725"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any], "\(stats.stderr)")
        let matches = try #require(json["matches"] as? [Int])
        #expect(matches[0] > 200, "Pythia's series should be drawn in its colour: \(stats.stdout)")
        #expect(matches[1] > 200, "OLMo's series should be drawn in its colour: \(stats.stdout)")
        #expect(matches[2] > 50 && matches[3] > 50, "the heatmaps should span the colour ramp: \(stats.stdout)")
        #expect((json["nonwhite_fraction"] as? Double ?? 0) > 0.05)
    }
}
