import Foundation
import Postgres
import SpectraTestSupport
import Testing

/// A lineage file of local stages, planned, worked, aggregated and compared through the
/// `spectra` binary: the fixture series' revisions stand in for base, SFT and DPO (their
/// 2-D weights are the same matrices scaled by 1, 1.5 and 2).
@Suite("Lineage runs")
struct LineageRunTests {
    @Test("stages are stored with the run and spectra.variant_comparison follows them in order")
    func localLineageEndToEnd() throws {
        let series = try FixtureSeries.make()
        defer { series.remove() }
        let url = try TestSupport.migratedDatabase()
        let env: [String: String?] = ["DATABASE_URL": url, "SPECTRA_ARTIFACTS": series.directory.appendingPathComponent("artifacts").path]
        let file = series.directory.appendingPathComponent("lineage.json")
        try """
            {"name": "fixture-chain", "stages": [
              {"label": "base", "checkpoint": "step0", "model": "fixture-neox"},
              {"label": "SFT", "checkpoint": "step100", "model": "fixture-neox-sft"},
              {"label": "DPO", "checkpoint": "step200", "model": "fixture-neox-dpo", "trained_on": "kept, ignored"}]}
            """.write(to: file, atomically: true, encoding: .utf8)
        let plan = try SpectraExecutable.run(["plan", "--lineage", file.path, "--probe", series.probe.path, "--samples", "36",
                                              "--max-tokens", "16", "--batch", "6"], environment: env)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(try TestSupport.count("select count(*) as n from spectra.lineage_stages where lineage = 'fixture-chain'", url: url) == 3)
        #expect(try TestSupport.count("select count(*) as n from spectra.runs where family = 'lineage' and config->'stages'->1->>'label' = 'SFT'", url: url) == 1)
        let work = try SpectraExecutable.run(["work", "--drain", "--concurrency", "2"], environment: env)
        #expect(work.status == 0, "\(work.stderr.suffix(2000))")
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs where state <> 'completed'", url: url) == 0)
        #expect(try SpectraExecutable.run(["aggregate"], environment: env).status == 0)

        let db = try Connection(url: url)
        let chain = try db.query(SQLQuery(
            """
            select position, stage, previous_stage, base_stage, value, previous_value, delta_previous, base_value, delta
              from spectra.variant_comparison
             where lineage = 'fixture-chain' and source = 'weights' and metric = 'spectral_norm' and depth_bin = 1
             order by position
            """))
        #expect(try chain.map { try $0.decode("stage", as: String.self) } == ["base", "SFT", "DPO"])
        #expect(try chain.map { try $0.decode("previous_stage", as: String?.self) } == [nil, "base", "SFT"])
        let values = try chain.map { try $0.decode("value", as: Double.self) }
        try #require(values.count == 3)
        // Oracle: the spectral norm of sW is s times that of W (weights scaled by 1.5 and 2
        // in Float32, so up to one rounding of each weight: 1e-6 relative).
        #expect(abs(values[1] / values[0] - 1.5) < 1e-6 && abs(values[2] / values[0] - 2) < 1e-6, "\(values)")
        for row in chain.dropFirst() {
            let value = try row.decode("value", as: Double.self)
            #expect(abs(try row.decode("delta_previous", as: Double.self) - (value - (try row.decode("previous_value", as: Double.self)))) < 1e-12)
            #expect(abs(try row.decode("delta", as: Double.self) - (value - values[0])) < 1e-12)
            #expect(try row.decode("base_stage", as: String.self) == "base")
        }
        // RankMe has its three stages in every depth bin too (hidden states 0–3 of 3: bins 0, ¼, ¾, 1).
        #expect(try TestSupport.count(
            """
            select count(*) as n from (select metric, depth_bin from spectra.variant_comparison
             where lineage = 'fixture-chain' and source = 'representation' and metric = 'rankme'
             group by 1, 2 having array_agg(stage order by position) = array['base', 'SFT', 'DPO']) t
            """, url: url) == 4)

        let report = try SpectraExecutable.run(["report", "--run", "1", "--out", series.directory.appendingPathComponent("report").path],
                                               environment: env)
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: series.directory.appendingPathComponent("report/index.html").path, encoding: .utf8)
        #expect(html.contains("Post-training") && html.contains("Lineage fixture-chain"))
    }
}
