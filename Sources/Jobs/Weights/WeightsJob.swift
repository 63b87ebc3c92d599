import SpectraBase
import Checkpoints
import Foundation
import Hub
import LinearAlgebra
import Postgres
import Queue
import SpectralMetrics

/// `weights(checkpoint, layer)`: the ESD of every 2-D weight matrix of one transformer
/// block with its norms, power-law fit and FARMS α, written as one result row per matrix.
struct WeightsJob: JobHandler {
    /// Where hub revisions come from (downloaded on demand within a budget).
    var checkpoints: CheckpointStore

    struct Row: Sendable {
        var matrix: String
        var rows: Int
        var columns: Int
        var eigenvalues: [Float]
        var metrics: String
        var elapsed: Double
    }

    func run(_ job: ClaimedJob, context: JobContext) throws -> JobCompletion {
        guard let layer = job.layer else { throw JobInputError("\(job.label) has no layer") }
        let args = try JobInputError.decodeArguments(job)
        let (checkpoint, lease) = try args.open(store: checkpoints)
        defer { lease?.release() }
        var rows: [Row] = []
        for weight in checkpoint.config.architecture.weightMatrices(layer: layer) {
            let name = weight.name
            try context.checkCancellation()
            let start = Date()
            let matrix: Matrix<Float>
            do {
                matrix = try checkpoint.matrix(name)
            } catch {
                throw JobInputError("\(args.model) \(args.revision): \(error)")
            }
            let report: WeightSpectrumReport
            do {
                report = try WeightSpectrumMetrics.compute(matrix: matrix)
            } catch {
                throw JobInputError("\(args.model) \(args.revision): tensor \(name): \(error)")
            }
            let metrics = try Self.metricsJSON(Self.metrics(of: report))
            rows.append(Row(matrix: weight.label, rows: matrix.rows, columns: matrix.columns,
                            eigenvalues: report.esd.map(Float.init), metrics: metrics,
                            elapsed: Date().timeIntervalSince(start)))
        }
        let worker = context.workerName
        let results = rows
        return JobCompletion { db in
            for row in results {
                try db.execute(SQLQuery(
                    """
                    insert into spectra.results (run_id, checkpoint_id, layer, source, pooling, matrix, rows, columns,
                                                 eigenvalues, metrics, method, elapsed_seconds, worker, job_id)
                    values (\(job.runID), \(job.checkpointID), \(layer), 'weights', '', \(row.matrix), \(row.rows), \(row.columns),
                            \(row.eigenvalues), \(JSON(raw: row.metrics)), 'exact', \(row.elapsed), \(worker), \(job.id))
                    on conflict (run_id, checkpoint_id, layer, source, pooling, matrix) do update
                       set rows = excluded.rows, columns = excluded.columns, eigenvalues = excluded.eigenvalues,
                           metrics = excluded.metrics, method = excluded.method, elapsed_seconds = excluded.elapsed_seconds,
                           worker = excluded.worker, job_id = excluded.job_id, created_at = now()
                    """, name: "upsert_weights_result"))
            }
        }
    }

    /// The stored metrics, under the keys `spectra spectrum --weights --json` uses.
    static func metrics(of report: WeightSpectrumReport) -> [String: Double] {
        var metrics: [String: Double] = [:]
        for key in MetricKey.weightsJob { metrics[key.rawValue] = value(of: key, in: report) }
        return metrics
    }

    private static func value(of key: MetricKey, in report: WeightSpectrumReport) -> Double? {
        switch key {
        case .spectralNorm: report.spectralNorm
        case .frobeniusNorm: report.frobeniusNorm
        case .stableRank: report.stableRank
        case .logNorm: report.logNorm
        case .logSpectralNorm: report.logSpectralNorm
        case .alphaWeighted: report.alphaWeighted
        case .powerlawAlpha: report.powerLaw.alpha
        case .powerlawXmin: report.powerLaw.xmin
        case .powerlawKsDistance: report.powerLaw.ksDistance
        case .farmsAlpha: report.farms.fit.alpha
        case .rankme, .rankmeGarrido, .alphaReq, .participationRatio, .renyiEntropy1, .renyiEntropy2: nil
        }
    }

    static func metricsJSON(_ metrics: [String: Double]) throws -> String {
        String(decoding: try CanonicalJSON.encode(metrics), as: UTF8.self)
    }
}

/// A job whose input is bad: retrying cannot help, so the job fails with this message.
struct JobInputError: PermanentJobFailure, CustomStringConvertible {
    let description: String

    init(_ message: String) {
        description = message
    }

    static func decodeArguments(_ job: ClaimedJob) throws -> CheckpointArguments {
        do {
            return try JSONDecoder().decode(CheckpointArguments.self, from: Data(job.args.utf8))
        } catch {
            throw JobInputError("\(job.label): arguments \(job.args) are not a checkpoint job's: \(error)")
        }
    }
}
