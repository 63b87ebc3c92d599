import Foundation
import Queue
import SpectraBase
import Pipeline
import Postgres
import SpectraTestSupport
import Testing

/// plan → extract → spectrum → aggregate through the `spectra` binary, on the fixture series.
@Suite("Representation runs")
struct RepresentationRunTests {
    static func plan(_ series: FixtureSeries, env: [String: String?], extra: [String] = []) throws -> SpectraExecutable.Output {
        try SpectraExecutable.run(["plan", "--family", "local", "--model", series.directory.path, "--probe", series.probe.path,
                                   "--samples", "36", "--max-tokens", "16", "--batch", "5", "--pooling", "last", "mean"] + extra,
                                  environment: env)
    }

    @Test("results equal spectra spectrum on the same artifact; every job completes exactly once; replanning adds nothing")
    func matchesSpectrumCommand() throws {
        let series = try FixtureSeries.make()
        defer { series.remove() }
        let url = try TestSupport.migratedDatabase()
        let artifacts = series.directory.appendingPathComponent("artifacts").path
        let env: [String: String?] = ["DATABASE_URL": url, "SPECTRA_ARTIFACTS": artifacts]
        let planned = try Self.plan(series, env: env)
        #expect(planned.status == 0, "\(planned.stderr)")
        // 3 revisions × (1 extract + 4 hidden states × 2 poolings + 3 weights blocks).
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs", url: url) == 3 * (1 + 8 + 3))
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs where pending_dependencies = 1", url: url) == 24)
        let again = try Self.plan(series, env: env)
        #expect(again.stdout.contains("0 new"), "\(again.stdout)")

        let work = try SpectraExecutable.run(["work", "--drain", "--concurrency", "2"], environment: env)
        #expect(work.status == 0, "\(work.stderr.suffix(2000))")
        let unfinished = try Connection(url: url).query(SQLQuery(
            "select kind, state::text as state, last_error from spectra.jobs where state <> 'completed' or completions <> 1 limit 3"))
        let described = try unfinished.map {
            "\(try $0.decode("kind", as: String.self)) \(try $0.decode("state", as: String.self)): \(try $0.decode("last_error", as: String?.self) ?? "")"
        }
        #expect(unfinished.isEmpty, "\(described)")
        #expect(try TestSupport.count("select count(*) as n from spectra.artifacts", url: url) == 24)
        #expect(try TestSupport.count("select count(*) as n from spectra.results where source = 'representation' and sample_count = 36", url: url) == 24)

        // The pipeline's numbers for one artifact against the command a researcher would run
        // on that file. Oracle: `spectra spectrum --json` with one BLAS thread, as the
        // two-slot worker runs; same code path and summation order, so the metrics agree to
        // the last bit and the eigenvalues after rounding to float32 (stored as real[]).
        let db = try Connection(url: url)
        let row = try #require(try db.query(SQLQuery(
            """
            select a.path, r.metrics::text as metrics, r.eigenvalues, r.method from spectra.artifacts a
              join spectra.results r using (run_id, checkpoint_id, layer, pooling)
             where a.layer = 3 and a.pooling = 'mean' order by a.checkpoint_id desc limit 1
            """)).first)
        let path = artifacts + "/" + (try row.decode("path", as: String.self))
        let cli = try SpectraExecutable.run(["spectrum", path, "--json"], environment: ["OPENBLAS_NUM_THREADS": "1"])
        #expect(cli.status == 0, "\(cli.stderr)")
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any])
        let stored = try #require(try JSONSerialization.jsonObject(with: Data(try row.decode("metrics", as: String.self).utf8)) as? [String: Double])
        let metrics = try #require(expected["metrics"] as? [String: Any]).compactMapValues { $0 as? Double }
        for key in ["rankme", "rankme_garrido", "alpha_req", "participation_ratio", "stable_rank", "renyi_entropy_1", "renyi_entropy_2"] {
            #expect(stored[key] == metrics[key], "\(key): pipeline \(stored[key] ?? .nan), spectrum \(metrics[key] ?? .nan)")
        }
        let eigenvalues = try row.decode("eigenvalues", as: [Float].self)
        let reference = try #require(expected["eigenvalues"] as? [Double])
        #expect(eigenvalues == reference.map(Float.init))
        #expect(try row.decode("method", as: String.self) == expected["method"] as? String)

        let aggregate = try SpectraExecutable.run(["aggregate"], environment: env)
        #expect(aggregate.stdout.contains("spectra.phase_boundaries"), "\(aggregate.stdout)")
    }

    @Test("a NaN checkpoint and a missing revision fail only their own jobs, naming them; the rest completes")
    func failuresStayContained() throws {
        let series = try FixtureSeries.make(revisions: 4, nanRevision: 1)
        defer { series.remove() }
        let url = try TestSupport.migratedDatabase()
        let env: [String: String?] = ["DATABASE_URL": url, "SPECTRA_ARTIFACTS": series.directory.appendingPathComponent("artifacts").path]
        #expect(try Self.plan(series, env: env).status == 0)
        // The revision disappears from shared storage after planning.
        try FileManager.default.removeItem(at: series.directory.appendingPathComponent(series.revisions[3]))
        let work = try SpectraExecutable.run(["work", "--drain", "--concurrency", "2"], environment: env)
        #expect(work.status == 0, "\(work.stderr.suffix(2000))")

        let db = try Connection(url: url)
        let states = try db.query(SQLQuery(
            """
            select c.revision, j.kind, j.state::text as state, j.last_error from spectra.jobs j
              join spectra.checkpoints c on c.id = j.checkpoint_id order by j.id
            """))
        for row in states {
            let revision = try row.decode("revision", as: String.self), kind = try row.decode("kind", as: String.self)
            let state = try row.decode("state", as: String.self), error = try row.decode("last_error", as: String?.self) ?? ""
            switch revision {
            case series.revisions[0], series.revisions[2]:
                #expect(state == "completed", "\(revision) \(kind): \(state) \(error)")
            case series.revisions[1] where kind == "extract":
                #expect(state == "failed" && error.contains("non-finite") && error.contains(revision), "\(state): \(error)")
            case series.revisions[1] where kind == "spectrum":
                #expect(state == "failed" && error.contains("dependency extract job"), "\(error)")
            case series.revisions[3]:
                #expect(state == "failed", "\(revision) \(kind): \(state)")
                if kind != "spectrum" { #expect(error.contains(revision), "\(error)") }
            default:
                break
            }
        }
    }

    @Test("a corrupted artifact sends its extract back to the queue; no number is made from it")
    func corruptArtifact() throws {
        let series = try FixtureSeries.make(revisions: 2)
        defer { series.remove() }
        let url = try TestSupport.migratedDatabase()
        let artifacts = series.directory.appendingPathComponent("artifacts")
        let env: [String: String?] = ["DATABASE_URL": url, "SPECTRA_ARTIFACTS": artifacts.path]
        #expect(try Self.plan(series, env: env).status == 0)
        #expect(try SpectraExecutable.run(["work", "--drain", "--kinds", "extract"], environment: env).status == 0)
        let db = try Connection(url: url)
        let path = try #require(try db.query(SQLQuery(
            "select path from spectra.artifacts where layer = 2 and pooling = 'last' order by checkpoint_id limit 1")).first)
            .decode("path", as: String.self)
        let file = artifacts.appendingPathComponent(path)
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count - 3] ^= 0x5A
        try bytes.write(to: file)

        let work = try SpectraExecutable.run(["work", "--drain", "--log-level", "info"], environment: env)
        #expect(work.status == 0)
        let left = try Connection(url: url).query(SQLQuery("select kind, state::text as s, last_error from spectra.jobs where state <> 'completed' limit 2"))
        let described = try left.map { "\(try $0.decode("kind", as: String.self)) \(try $0.decode("s", as: String.self)) \(try $0.decode("last_error", as: String?.self) ?? "")" }
        #expect(left.isEmpty, "\(described)")
        #expect(work.stderr.contains("does not match its checksum") && work.stderr.contains(path), "\(work.stderr.suffix(3000))")
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs where state <> 'completed'", url: url) == 0)
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs where kind = 'extract' and completions = 2", url: url) == 1)
        // The re-made artifact verifies again.
        let sha = try #require(try db.query(SQLQuery("select sha256 from spectra.artifacts where path = \(path)")).first).decode("sha256", as: String.self)
        #expect(SHA256.hexDigest(try Data(contentsOf: file)) == sha)
    }
}
