import Foundation
import Queue
import Pipeline
import Postgres
import Testing

@Suite("Family views")
struct FamilyViewsTests {
    @Test("curves, phases, OLMo-vs-Pythia at matched tokens and the variant comparison, refreshed concurrently")
    func views() throws {
        let url = try TestSupport.migratedDatabase()
        try SyntheticResults.write(url: url)
        let counts = Dictionary(uniqueKeysWithValues: try Aggregator(logger: TestSupport.logger).refreshAll(url: url).map { ($0.view, $0.rows) })
        // 2 models × 15 checkpoints × 4 hidden states × 3 metrics + 2 × 15 × 3 blocks × 2 metrics (averaged matrices).
        #expect(counts["family_curves"] == 2 * 15 * 4 * 3 + 2 * 15 * 3 * 2)
        #expect(counts["phase_boundaries"] == 2 * 4)
        let db = try Connection(url: url)

        // Phases: the synthetic peak is at checkpoint 9 (Pythia) and 10 (OLMo), within one.
        for (model, peak) in [("tiny-pythia", 9), ("tiny-olmo", 10)] {
            let row = try #require(try db.query(SQLQuery(
                "select * from spectra.phase_boundaries where model = \(model) and layer = 3")).first)
            let found = try row.decode("entropy_peak_tokens", as: Int64.self)
            let index = try #require(SyntheticResults.tokens.firstIndex(of: found))
            #expect(abs(index - peak) <= 1, "\(model): peak at checkpoint \(index), built at \(peak)")
            let collapse = try #require(try row.decode("collapse_end_tokens", as: Int64?.self))
            #expect(abs(SyntheticResults.tokens.firstIndex(of: collapse)! - 3) <= 1)
            #expect(try row.decode("compression_onset_tokens", as: Int64?.self) != nil)
        }

        // Matched tokens (1e9 is checkpoint 7 of both): at a grid point that is a checkpoint of both, the interpolated
        // values equal the stored ones (oracle: linear interpolation in log tokens is exact
        // at the knots; tolerance 1e-9 relative).
        let rows = try db.query(SQLQuery(
            """
            select pythia_value, olmo_value, olmo_minus_pythia from spectra.family_comparison
             where metric = 'rankme' and source = 'representation' and depth_bin = 1 and tokens = 1e9
            """))
        let row = try #require(rows.first)
        let pythia = try row.decode("pythia_value", as: Double.self), olmo = try row.decode("olmo_value", as: Double.self)
        let expectedP = exp(SyntheticResults.logRankMe(7, peak: 9, layer: 3)), expectedO = exp(SyntheticResults.logRankMe(7, peak: 10, layer: 3))
        #expect(abs(pythia - expectedP) / expectedP < 1e-9)
        #expect(abs(olmo - expectedO) / expectedO < 1e-9)
        #expect(abs(try row.decode("olmo_minus_pythia", as: Double.self) - (olmo - pythia)) < 1e-9)
        // Between two checkpoints (10^9.25 lies between 10^9 and 10^9.5) the value is the midpoint.
        let mid = try #require(try db.query(SQLQuery(
            "select pythia_value from spectra.family_comparison where metric = 'rankme' and depth_bin = 1 and tokens between 1.77e9 and 1.78e9")).first)
        let expectedMid = (exp(SyntheticResults.logRankMe(7, peak: 9, layer: 3)) + exp(SyntheticResults.logRankMe(8, peak: 9, layer: 3))) / 2
        #expect(abs(try mid.decode("pythia_value", as: Double.self) - expectedMid) / expectedMid < 1e-9)

        // A lineage: a base and an SFT model in one run, their last checkpoints as stages 0 and 1.
        let lineageRun = try SyntheticResults.write(url: url, runName: "lineage",
                                                    models: [("olmo-base", "olmo-like", "OlmoForCausalLM", 10),
                                                             ("olmo-sft", "olmo-like", "OlmoForCausalLM", 12)])
        for (position, label, model) in [(0, "base", "olmo-base"), (1, "SFT", "olmo-sft")] {
            _ = try db.execute(SQLQuery(
                """
                insert into spectra.lineage_stages (run_id, checkpoint_id, lineage, position, label)
                select \(lineageRun), c.id, 'synthetic-chain', \(position), \(label)
                  from spectra.checkpoints c join spectra.models m on m.id = c.model_id
                 where m.name = \(model) and c.revision = 'step14'
                """))
        }
        try Aggregator(logger: TestSupport.logger).refreshAll(url: url)
        let variant = try #require(try db.query(SQLQuery(
            "select value, base_value, delta, delta_previous from spectra.variant_comparison where stage = 'SFT' and metric = 'rankme' and depth_bin = 1")).first)
        let delta = try variant.decode("delta", as: Double.self)
        // Oracle: the synthetic curves at checkpoint 14, hidden state 3 (depth bin 1).
        #expect(abs(try variant.decode("value", as: Double.self) - exp(SyntheticResults.logRankMe(14, peak: 12, layer: 3))) < 1e-9)
        #expect(abs(try variant.decode("base_value", as: Double.self) - exp(SyntheticResults.logRankMe(14, peak: 10, layer: 3))) < 1e-9)
        #expect(abs(delta - (try variant.decode("value", as: Double.self) - (try variant.decode("base_value", as: Double.self)))) < 1e-9)
        #expect(abs(delta - (try variant.decode("delta_previous", as: Double.self))) < 1e-12, "base is the previous stage")
        #expect(delta > 0, "the later-peaking SFT model ends with a higher RankMe in this construction")
    }
}
