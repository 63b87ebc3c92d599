import Checkpoints
import Foundation
import Hub
import LinearAlgebra
import Models
import Postgres
import Queue

/// `extract(checkpoint)`: one forward pass over the run's probe selection, in batches,
/// leaving one pooled activation matrix per hidden-state index and pooling in the
/// artifact store and its checksum in `spectra.artifacts`.
///
/// Batches done are saved as progress (partial matrices in the store, their checksums in
/// the job's `progress`) every `saveInterval` seconds and when the worker is told to
/// stop, so the next claimer continues from there instead of starting over.
struct ExtractJob: JobHandler {
    /// Overrides the run's artifact root (a worker that mounts the store elsewhere).
    var artifactOverride: String?
    var saveInterval: Double = 60
    /// How often a final artifact write that met a full disk or an I/O error is retried in
    /// place (after 1, 2, 4 … s) before the job is given back: the matrices computed so far
    /// are in memory, and a disk that frees up within a minute loses none of them.
    var faultRetries = 6
    /// What the machine has free; tests inject a small machine.
    var availableMemory: @Sendable () -> AvailableMemory? = { AvailableMemory.read() }
    /// Where hub revisions come from (downloaded on demand within a budget).
    var checkpoints: CheckpointStore

    func run(_ job: ClaimedJob, context: JobContext) throws -> JobCompletion {
        let args = try ExtractArguments.decode(job)
        let store = ArtifactStore(root: artifactOverride ?? args.artifacts)
        let (checkpoint, lease) = try args.checkpointArguments.open(store: checkpoints)
        defer { lease?.release() }
        let name = "\(args.model) \(args.revision)"
        let poolings = try args.poolings.map { raw -> Pooling in
            guard let pooling = Pooling(rawValue: raw) else { throw JobInputError("\(job.label): unknown pooling '\(raw)'") }
            return pooling
        }
        let selection = try Self.selection(args, checkpoint: checkpoint, name: name)
        if selection.truncated > 0 {
            context.logger.info("\(name): \(selection.truncated) probe sequence(s) cut to \(args.probe.maxTokens) tokens")
        }
        let need = MemoryNeed.estimate(checkpoint.config, samples: selection.tokens.count, maxTokens: args.probe.maxTokens,
                                       batch: args.batch, layers: args.layers.count, poolings: poolings.count)
        try MemoryCheck.require(need, available: availableMemory(), what: "\(job.label): \(name)")
        let model: TransformerModel
        do {
            model = try TransformerModel.load(checkpoint)
        } catch {
            throw JobInputError("\(name): \(error)")
        }
        if let bad = args.layers.first(where: { $0 < 0 || $0 >= model.hiddenStateCount }) {
            throw JobInputError("\(name): hidden state \(bad) does not exist (the model has \(model.hiddenStateCount))")
        }

        var pooled = PooledRows(layers: args.layers, poolings: args.poolings)
        let partialRoot = ArtifactStore.partialDirectory(run: job.runID, checkpoint: job.checkpointID)
        let partialDirectory = partialRoot + "/" + job.leaseToken.uuidString.lowercased()
        var start = 0
        if let progress = ExtractProgress.decode(job.progress), progress.rows <= selection.tokens.count {
            do {
                pooled = try progress.restore(from: store, layers: args.layers, poolings: args.poolings)
                start = progress.rows
                context.logger.info("\(name): resuming after \(start) of \(selection.tokens.count) sequences saved by an earlier attempt")
            } catch {
                context.logger.warning("\(name): the saved progress is unusable (\(error)); starting over")
            }
        }

        var lastSave = Date()
        var position = start
        while position < selection.tokens.count {
            if context.isCancelled {
                context.saveProgress(try ExtractProgress.save(pooled, to: store, directory: partialDirectory).jsonText())
                try context.checkCancellation()
            }
            let end = min(position + args.batch, selection.tokens.count)
            let states: [Pooling: [Int: Matrix<Float>]]
            do {
                states = try model.pooledHiddenStates(Array(selection.tokens[position..<end]), layers: args.layers, poolings: poolings)
            } catch {
                throw JobInputError("\(name): forward pass over probe lines \(selection.lines[position..<end].map { $0 + 1 }): \(error)")
            }
            try pooled.append(states, lines: Array(selection.lines[position..<end]), name: name)
            position = end
            if Date().timeIntervalSince(lastSave) > saveInterval, position < selection.tokens.count {
                // A periodic save is insurance: a full disk skips it, the forward pass goes on.
                do {
                    context.saveProgress(try ExtractProgress.save(pooled, to: store, directory: partialDirectory).jsonText())
                } catch let fault as ArtifactStoreFault {
                    context.logger.warning("\(name): progress not saved: \(fault)")
                }
                lastSave = Date()
            }
        }
        try context.checkCancellation()

        var artifacts: [ArtifactRow] = []
        for (key, matrix) in try pooled.matrices() {
            let path = ArtifactStore.relativePath(run: job.runID, checkpoint: job.checkpointID, pooling: key.pooling, layer: key.layer)
            let sha256 = try Self.write(matrix, at: path, in: store, retries: faultRetries, context: context)
            artifacts.append(ArtifactRow(layer: key.layer, pooling: key.pooling, path: path, sha256: sha256,
                                         rows: matrix.rows, columns: matrix.columns))
        }
        let lines = selection.lines.map(Int64.init)
        let worker = context.workerName
        let rows = artifacts
        let partialURL = store.url(partialRoot)
        return JobCompletion { db in
            for row in rows {
                try db.execute(SQLQuery(
                    """
                    insert into spectra.artifacts (run_id, checkpoint_id, layer, pooling, path, sha256, rows, columns,
                                                   sample_lines, job_id, worker)
                    values (\(job.runID), \(job.checkpointID), \(row.layer), \(row.pooling), \(row.path), \(row.sha256),
                            \(row.rows), \(row.columns), \(lines)::int[], \(job.id), \(worker))
                    on conflict (run_id, checkpoint_id, layer, pooling) do update
                       set path = excluded.path, sha256 = excluded.sha256, rows = excluded.rows, columns = excluded.columns,
                           sample_lines = excluded.sample_lines, job_id = excluded.job_id, worker = excluded.worker,
                           created_at = now()
                    """, name: "upsert_artifact"))
            }
            // Partial matrices of earlier attempts are no longer needed once this commits;
            // removing them first is harmless because a rollback leaves the finals in place.
            try? FileManager.default.removeItem(at: partialURL)
        }
    }

    /// Writes one final artifact, riding out infrastructure faults of the store: each is
    /// recorded on the job (its `last_error`, through the next heartbeat) and retried after
    /// a doubling delay; the last one is thrown, and the worker gives the job back without
    /// counting the attempt.
    static func write(_ matrix: Matrix<Float>, at path: String, in store: ArtifactStore, retries: Int,
                      context: JobContext) throws -> String {
        var delay = 1.0
        var failures = 0
        while true {
            do {
                return try store.write(matrix, at: path)
            } catch let fault as ArtifactStoreFault {
                failures += 1
                guard failures <= retries else { throw fault }
                context.noteFault("\(fault); retry \(failures) of \(retries) in \(Int(delay)) s, results kept in memory")
                context.logger.warning("\(fault); retrying in \(Int(delay)) s (\(failures) of \(retries))")
                let end = Date().addingTimeInterval(delay)
                while Date() < end {
                    try context.checkCancellation()
                    Thread.sleep(forTimeInterval: 0.1)
                }
                delay = min(delay * 2, 30)
            }
        }
    }

    /// The probe selection for this checkpoint's tokenizer.
    static func selection(_ args: ExtractArguments, checkpoint: CheckpointDirectory, name: String) throws -> ProbeSet.Selection {
        let tokenizerPath = checkpoint.url.appendingPathComponent("tokenizer.json").path
        let tokenizer: Tokenizer
        do {
            tokenizer = try Tokenizer.load(tokenizerPath)
        } catch {
            throw JobInputError("\(name): \(error)")
        }
        do {
            let probe = try ProbeSet.load(path: args.probe.path)
            var encoder = tokenizer.makeEncoder()
            return try probe.select(args.probe) { encoder.encode($0) }
        } catch {
            throw JobInputError("\(name): \(error)")
        }
    }

    struct ArtifactRow: Sendable {
        var layer: Int
        var pooling: String
        var path: String
        var sha256: String
        var rows: Int
        var columns: Int
    }
}
