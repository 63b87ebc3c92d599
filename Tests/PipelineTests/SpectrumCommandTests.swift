import Foundation
import Queue
import Postgres
import SpectraTestSupport
import Testing
@testable import Pipeline

/// `spectra spectrum` on one matrix and the `weights` job on the same checkpoint must agree:
/// both run the same engine, so the oracle is the other path.
@Suite struct SpectrumCommandTests {
    struct Report: Decodable {
        var shape: [Int]
        var eigenvalues: [Double]
        var metrics: [String: Double]
    }

    @Test func weightsJobAgreesWithSpectrumCommand() throws {
        let url = try TestSupport.migratedDatabase()
        _ = try Planner(logger: TestSupport.logger).plan(
            PlanRequest(family: "local", models: [SpectraExecutable.bundledSeries.path], layers: .some([1])), url: url)
        let work = try SpectraExecutable.run(["work", "--drain"], environment: ["DATABASE_URL": url, "SPECTRA_LOG_LEVEL": "error"])
        #expect(work.status == 0, "\(work.stderr)")

        let tensor = SpectraExecutable.bundledCheckpoint("step2000").path + "/model.safetensors:gpt_neox.layers.1.mlp.dense_h_to_4h.weight"
        let cli = try SpectraExecutable.run(["spectrum", tensor, "--weights", "--json"])
        #expect(cli.status == 0, "\(cli.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(cli.stdout.utf8))
        #expect(report.shape == [256, 64])

        let db = try Connection(url: url)
        let row = try #require(try db.query(SQLQuery("""
            select eigenvalues, metrics::text as metrics from spectra.results r
              join spectra.checkpoints c on c.id = r.checkpoint_id
             where c.revision = 'step2000' and r.layer = 1 and r.matrix = 'mlp.in'
            """)).first)
        let stored = try row.decode("eigenvalues", as: [Float].self)
        let metrics = try JSONDecoder().decode([String: Double].self, from: Data(try row.decode("metrics", as: String.self).utf8))
        // Stored eigenvalues are real[] (Float32), so 1e-6 relative; metrics are Float64 on
        // both sides from the same code, so they agree to round-off (1e-9 relative).
        #expect(stored.count == report.eigenvalues.count)
        for (a, b) in zip(stored, report.eigenvalues) { #expect(abs(Double(a) - b) <= 1e-6 * b) }
        for key in ["powerlaw_alpha", "powerlaw_xmin", "farms_alpha", "stable_rank", "spectral_norm", "log_norm"] {
            let job = try #require(metrics[key], "\(key) missing from the job's metrics")
            let one = try #require(report.metrics[key], "\(key) missing from spectra spectrum")
            #expect(abs(job - one) <= 1e-9 * abs(one), "\(key): job \(job) vs spectrum \(one)")
        }
    }

    @Test func missingTensorIsNamed() throws {
        let out = try SpectraExecutable.run(["spectrum", SpectraExecutable.bundledCheckpoint("step0").path + "/model.safetensors:no.such.weight"])
        #expect(out.status != 0)
        #expect(out.stderr.contains("no.such.weight"))
    }
}
