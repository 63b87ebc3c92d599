import Jobs
import SpectraBase
import Foundation

/// `spectra report`: one self-contained HTML page with SVG plots of a run.
public enum Report {
    /// Writes `DIR/index.html` and returns its path.
    public static func write(url: String, run: String, to directory: String) throws -> String {
        let data = try ReportData.load(url: url, run: run)
        let out = URL(fileURLWithPath: directory, isDirectory: true)
        let file = out.appendingPathComponent("index.html")
        do {
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            try html(data).write(to: file, atomically: true, encoding: .utf8)
        } catch {
            throw PipelineError(.badInput, "report: cannot write \(file.path): \(FileAccess.reason(error))")
        }
        return file.path
    }

    static func html(_ data: ReportData) -> String {
        let figures = ReportFigures(data)
        let pooling = figures.pooling
        var sections: [String] = []
        sections.append(figures.finalLayer(.rankme, caption: "RankMe against tokens seen at the final hidden state (\(pooling) pooling)",
                                           phases: true))
        sections.append(figures.finalLayer(.alphaReq, caption: "α-ReQ (eigenspectrum decay) at the final hidden state; "
            + "lower α = slower decay = higher RankMe", phases: false))
        sections.append("<h2>RankMe by hidden state</h2>")
        for model in data.models { sections.append(figures.heatmap(model)) }
        if let weights = figures.weights() { sections.append("<h2>Weight spectra</h2>" + weights) }
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Spectra: \(SVGText.escape(data.runName))</title>
        <style>
        *, *::before, *::after { box-sizing: border-box; }
        body { font-family: sans-serif; margin: 0 auto; padding: 16px 24px; max-width: 1180px; color: #222; }
        svg.chart { display: block; width: 100%; height: auto; }
        .multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 6px 18px; }
        .pts circle { fill-opacity: 0; } .pts circle:hover { fill-opacity: 1; stroke: #222; }
        .tip { position: fixed; display: none; pointer-events: none; background: #fff; border: 1px solid #999; border-radius: 3px;
               padding: 2px 6px; font-size: 12px; white-space: nowrap; box-shadow: 0 1px 4px rgba(0,0,0,.2); }
        figure { margin: 18px 0 30px; } figcaption { font-size: 13px; color: #555; margin-top: 4px; }
        .swatch { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px; vertical-align: -1px; margin-right: 3px; }
        .wide { overflow-x: auto; }
        table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
        th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
        </style></head><body>
        <h1>Representation geometry over training</h1>
        <p>Run <b>\(SVGText.escape(data.runName))</b> (#\(data.runID))\(data.variant.map { ", variant \(SVGText.escape($0))" } ?? ""):
        \(data.models.map { "<span class=\"swatch\" style=\"background:\(data.color(of: $0.name))\"></span>\(SVGText.escape($0.name)) (\($0.lineage), \($0.layers) layers)" }.joined(separator: ", ")).
        Hover a point or a cell for its model, revision, tokens and value.</p>
        <div class="wide">\(jobTable(data))</div>
        \(sections.joined(separator: "\n"))
        <h2>Phase boundaries at the final hidden state</h2>
        <div class="wide">\(phaseTable(data, pooling: pooling))</div>
        \(data.postTraining.html(pooling: pooling))
        <p style="font-size:12px;color:#777">Made by spectra \(SpectraVersion.current). Phases: smoothed ln RankMe
        (3-checkpoint moving average), δ = 0.05; see spectra.detect_phases.</p>
        <script>\(hoverScript)</script>
        </body></html>
        """
    }

    /// The heatmaps' tooltips: the cell under the pointer, from the SVG's data attributes
    /// (a title element per cell would triple the file at the full grid's 37,000 cells).
    static let hoverScript = """
        (() => {
          const tip = document.createElement('div'); tip.className = 'tip'; document.body.appendChild(tip);
          for (const svg of document.querySelectorAll('svg[data-heatmap]')) {
            const [x0, y0, w, h] = svg.dataset.heatmap.split(' ').map(Number);
            const rows = JSON.parse(svg.dataset.rows), columns = JSON.parse(svg.dataset.columns);
            let values = null;
            svg.addEventListener('mousemove', e => {
              values = values || JSON.parse(svg.dataset.values);
              const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(svg.getScreenCTM().inverse());
              const c = Math.floor((p.x - x0) / w), r = Math.floor((p.y - y0) / h);
              if (c < 0 || r < 0 || c >= columns.length || r >= rows.length) { tip.style.display = 'none'; return; }
              const v = values[r * columns.length + c];
              tip.textContent = `${svg.dataset.model} ${rows[r]}, ${columns[c]}: ${svg.dataset.label} ${v === null ? '–' : v}`;
              tip.style.display = 'block';
              tip.style.top = (e.clientY + 14) + 'px';
              const right = e.clientX > window.innerWidth / 2;
              tip.style.left = right ? '' : (e.clientX + 12) + 'px';
              tip.style.right = right ? (window.innerWidth - e.clientX + 12) + 'px' : '';
            });
            svg.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
          }
        })();
        """

    static func jobTable(_ data: ReportData) -> String {
        let states = ["completed", "running", "available", "failed", "discarded"]
        let kinds = Array(Set(data.jobCounts.map(\.kind))).sorted()
        var rows = "<tr><th>jobs</th>" + states.map { "<th>\($0)</th>" }.joined() + "</tr>"
        for kind in kinds {
            rows += "<tr><td>\(kind)</td>" + states.map { state in
                "<td>\(data.jobCounts.first { $0.kind == kind && $0.state == state }?.count ?? 0)</td>"
            }.joined() + "</tr>"
        }
        return "<table>\(rows)</table>"
    }

    static func phaseTable(_ data: ReportData, pooling: String) -> String {
        func tokens(_ t: Int64?) -> String { t.map { SVGLineChart.tokenLabel(Double($0)) } ?? "–" }
        var rows = "<tr><th>model</th><th>collapse ends</th><th>entropy peak</th><th>compression onset</th><th>RankMe start → peak → final</th></tr>"
        for model in data.models {
            guard let p = data.phases.first(where: { $0.model == model.name && $0.layer == model.layers && $0.pooling == pooling }) else { continue }
            rows += "<tr><td><span class=\"swatch\" style=\"background:\(data.color(of: model.name))\"></span>\(SVGText.escape(model.name))</td><td>\(tokens(p.collapseEnd))</td><td>\(tokens(p.peak))</td><td>\(tokens(p.onset))</td>"
                + String(format: "<td>%.1f → %.1f → %.1f</td></tr>", p.initial, p.peakValue, p.final)
        }
        return "<table>\(rows)</table>"
    }
}
