import SpectraBase
import Foundation
import Postgres
import Queue

/// `spectrum(checkpoint, layer, pooling)`: the covariance spectrum of one pooled activation
/// matrix and every representation metric, computed exactly as `spectra spectrum` computes
/// them for the same file. An artifact that is missing or fails its checksum sends the
/// extract job back to the queue; no number is produced from it.
struct SpectrumJob: JobHandler {
    var databaseURL: String
    var artifactOverride: String?

    struct Artifact {
        var path: String
        var sha256: String
    }

    func run(_ job: ClaimedJob, context: JobContext) throws -> JobCompletion {
        guard let layer = job.layer, let pooling = job.pooling else {
            throw JobInputError("\(job.label) has no layer or pooling")
        }
        let args = try ExtractArguments.decode(job)
        let artifact = try lookUp(job, layer: layer, pooling: pooling)
        let store = ArtifactStore(root: artifactOverride ?? args.artifacts)
        let file = try store.verify(artifact.path, sha256: artifact.sha256)
        try context.checkCancellation()

        let start = Date()
        let report: SpectrumAnalysis.Report
        do {
            report = try SpectrumAnalysis.run(SpectrumAnalysis.Request(path: file.path))
        } catch {
            throw JobInputError("\(args.model) \(args.revision), hidden state \(layer), \(pooling) pooling: \(error.message)")
        }
        let elapsed = Date().timeIntervalSince(start)
        let metrics = try WeightsJob.metricsJSON(Self.metrics(report.metrics))
        let eigenvalues = report.eigenvalues.map(Float.init)
        let notes = try report.unavailable.map { unavailable -> String in
            String(decoding: try CanonicalJSON.encode(["unavailable": unavailable]), as: UTF8.self)
        }
        let worker = context.workerName
        return JobCompletion { db in
            try db.execute(SQLQuery(
                """
                insert into spectra.results (run_id, checkpoint_id, layer, source, pooling, matrix, rows, columns,
                                             eigenvalues, metrics, method, error_estimate, sample_count,
                                             elapsed_seconds, worker, job_id, notes)
                values (\(job.runID), \(job.checkpointID), \(layer), 'representation', \(pooling), '',
                        \(report.shape[0]), \(report.shape[1]), \(eigenvalues), \(JSON(raw: metrics)), \(report.method),
                        \(report.errorEstimate), \(report.shape[0]), \(elapsed), \(worker), \(job.id),
                        \(notes.map { JSON(raw: $0) }))
                on conflict (run_id, checkpoint_id, layer, source, pooling, matrix) do update
                   set rows = excluded.rows, columns = excluded.columns, eigenvalues = excluded.eigenvalues,
                       metrics = excluded.metrics, method = excluded.method, error_estimate = excluded.error_estimate,
                       sample_count = excluded.sample_count, elapsed_seconds = excluded.elapsed_seconds,
                       worker = excluded.worker, job_id = excluded.job_id, notes = excluded.notes, created_at = now()
                """, name: "upsert_representation_result"))
        }
    }

    /// The artifact row the extract job recorded; none means the extract's output is gone.
    func lookUp(_ job: ClaimedJob, layer: Int, pooling: String) throws -> Artifact {
        let db = try Connection(url: databaseURL, connectTimeout: 10)
        let rows = try db.query(SQLQuery(
            """
            select path, sha256 from spectra.artifacts
             where run_id = \(job.runID) and checkpoint_id = \(job.checkpointID) and layer = \(layer)::int and pooling = \(pooling)
            """, name: "find_artifact"))
        guard let row = rows.first else {
            throw ArtifactError("\(job.label): no artifact is recorded for hidden state \(layer), \(pooling) pooling")
        }
        return Artifact(path: try row.decode("path", as: String.self), sha256: try row.decode("sha256", as: String.self))
    }

    /// The stored metrics, under the keys `spectra spectrum --json` prints.
    /// Only numbers: an unavailable α-ReQ is left out here and explained in `notes`.
    static func metrics(_ m: SpectrumAnalysis.Metrics) -> [String: Double] {
        var metrics: [String: Double] = [:]
        for key in MetricKey.representation { metrics[key.rawValue] = m[key] }
        return metrics
    }
}
