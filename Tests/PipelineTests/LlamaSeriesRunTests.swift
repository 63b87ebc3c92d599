import Foundation
import Postgres
import SpectraTestSupport
import Testing

/// A local series of the Llama fixture (GQA, head_dim 12, biases, llama3 RoPE) through
/// plan → work: the extract job runs the forward pass and the weights job labels each
/// matrix by role, the same labels as OLMo's.
@Suite("Llama series run")
struct LlamaSeriesRunTests {
    @Test("every job completes; weights rows carry the seven role labels per block")
    func llamaSeries() throws {
        let series = try FixtureSeries.make(revisions: 2, name: "fixture-llama", model: "llama")
        defer { series.remove() }
        let url = try TestSupport.migratedDatabase()
        let env: [String: String?] = ["DATABASE_URL": url,
                                      "SPECTRA_ARTIFACTS": series.directory.appendingPathComponent("artifacts").path]
        let planned = try RepresentationRunTests.plan(series, env: env)
        #expect(planned.status == 0, "\(planned.stderr)")
        // 2 revisions × (1 extract + 3 hidden states × 2 poolings + 2 weights blocks).
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs", url: url) == 2 * (1 + 6 + 2))
        let work = try SpectraExecutable.run(["work", "--drain"], environment: env)
        #expect(work.status == 0, "\(work.stderr.suffix(2000))")
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs where state <> 'completed'", url: url) == 0)
        #expect(try TestSupport.count(
            "select count(*) as n from spectra.results where source = 'representation' and sample_count = 36", url: url) == 12)
        let rows = try Connection(url: url).query(SQLQuery(
            "select matrix, count(*)::int as n, min(rows)::int as r from spectra.results where source = 'weights' group by matrix"))
        var counts: [String: Int] = [:], heights: [String: Int] = [:]
        for row in rows {
            let matrix = try row.decode("matrix", as: String.self)
            counts[matrix] = try row.decode("n", as: Int.self)
            heights[matrix] = try row.decode("r", as: Int.self)
        }
        // Each label once per block and revision; q is 4 heads × 12 wide, k and v 2 × 12.
        #expect(counts == ["attn.q": 4, "attn.k": 4, "attn.v": 4, "attn.out": 4, "mlp.gate": 4, "mlp.in": 4, "mlp.out": 4])
        #expect(heights["attn.q"] == 48 && heights["attn.k"] == 24 && heights["attn.out"] == 32 && heights["mlp.in"] == 48)
    }
}
