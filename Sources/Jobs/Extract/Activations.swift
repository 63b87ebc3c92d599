import Checkpoints
import Foundation
import SpectraBase
import LinearAlgebra
import Logging
import Models

/// Models' pooling, under Pipeline so the CLI needs no other import.
public typealias Pooling = Models.Pooling

/// `spectra activations`: one representation matrix per hidden-state index, from the
/// forward pass of a checkpoint over a probe text, written as `layer-NN.npy`.
public struct ActivationsRequest: Sendable {
    /// A checkpoint directory with config.json, weights and tokenizer.json.
    public var checkpoint: String
    /// The probe text, one sequence per non-empty line ("\n" ends a line).
    public var textFile: String
    /// Hidden-state indices (0 = embeddings … L = after the final norm).
    public var layers: LayerSelection
    public var pooling: Pooling
    /// Tokens kept per line; nil keeps up to the model's context (max_position_embeddings).
    public var maxTokens: Int?
    /// Lines per forward call.
    public var batchSize: Int
    /// A tokenizer.json to use instead of the checkpoint's own.
    public var tokenizer: String?
    /// Where `layer-NN.npy` go (created if missing).
    public var output: String
    /// What the machine has free, checked against the model's need before loading it.
    public var availableMemory: @Sendable () -> AvailableMemory? = { AvailableMemory.read() }

    public init(checkpoint: String, textFile: String, layers: LayerSelection = .all, pooling: Pooling = .last,
                maxTokens: Int? = nil, batchSize: Int = 16, tokenizer: String? = nil, output: String) {
        self.checkpoint = checkpoint
        self.textFile = textFile
        self.layers = layers
        self.pooling = pooling
        self.maxTokens = maxTokens
        self.batchSize = batchSize
        self.tokenizer = tokenizer
        self.output = output
    }

    /// What a run wrote.
    public struct Summary: Sendable {
        public var sequences: Int
        public var truncated: Int
        public var tokens: Int
        public var files: [String]
        public var seconds: Double
    }

    /// Tokenizes the probe, runs the forward pass in batches and writes one `layer-NN.npy`
    /// per selected hidden state. The probe is read before the weights, so a bad probe
    /// file fails fast.
    public func run(logger: Logger = Logger(label: "spectra.activations")) throws -> Summary {
        let started = ContinuousClock.now
        let directory: CheckpointDirectory
        do {
            directory = try CheckpointDirectory(url: URL(fileURLWithPath: checkpoint))
        } catch {
            throw PipelineError(error.code == .fileNotFound ? .notFound : .badInput, error.message)
        }
        let config = directory.config
        let limit = maxTokens ?? config.maxPositions
        guard limit >= 1, limit <= config.maxPositions else {
            throw PipelineError(.invalidArgument,
                "--max-tokens \(limit): checkpoint \(checkpoint) takes 1…\(config.maxPositions) tokens per sequence (max_position_embeddings)")
        }
        let indices = try layers.resolve(count: config.layerCount + 1,
                                          model: "\(checkpoint) (hidden states: embeddings, one per block)")
        let (sequences, lineNumbers, truncated) = try tokenizedLines(limit: limit)
        // Checked here so the message names the line of the probe file, not the batch slot.
        for (sequence, line) in zip(sequences, lineNumbers) {
            if let position = sequence.firstIndex(where: { Int($0) >= config.vocabSize }) {
                throw PipelineError(.badInput,
                    "\(textFile) line \(line): token id \(sequence[position]) (token \(position)) is outside the vocabulary of "
                    + "checkpoint \(checkpoint) (vocab_size \(config.vocabSize)); is the tokenizer the model's?")
            }
        }
        let need = MemoryNeed.estimate(config, samples: sequences.count, maxTokens: limit, batch: max(1, batchSize),
                                       layers: indices.count, poolings: 1)
        do {
            try MemoryCheck.require(need, available: availableMemory(), what: "checkpoint \(checkpoint)")
        } catch {
            throw PipelineError(.insufficientMemory, error.description)
        }
        let model: TransformerModel
        do {
            model = try TransformerModel.load(directory)
        } catch let error as ModelError {
            throw PipelineError(error.code == .unsupported ? .unsupported : .badInput, error.message)
        }
        if truncated > 0 {
            logger.warning("\(truncated) of \(sequences.count) lines of \(textFile) were longer than \(limit) tokens and were truncated to \(limit)",
                           metadata: ["checkpoint": "\(checkpoint)"])
        }

        let d = model.config.hiddenSize
        var matrices = Dictionary(uniqueKeysWithValues: indices.map { ($0, Matrix<Float>(zeros: sequences.count, d)) })
        for start in stride(from: 0, to: sequences.count, by: max(1, batchSize)) {
            let batch = Array(sequences[start..<min(start + max(1, batchSize), sequences.count)])
            let pooled: [Int: Matrix<Float>]
            do {
                pooled = try model.pooledHiddenStates(batch, layers: indices, poolings: [pooling])[pooling] ?? [:]
            } catch let error as ModelError {
                throw PipelineError(.badInput, "\(textFile), batch starting at line \(lineNumbers[start]): \(error.message)")
            }
            for (layer, rows) in pooled {
                matrices[layer]!.storage.replaceSubrange((start * d)..<((start + batch.count) * d), with: rows.storage)
            }
        }

        let outDirectory = URL(fileURLWithPath: output)
        do {
            try FileManager.default.createDirectory(at: outDirectory, withIntermediateDirectories: true)
        } catch {
            throw PipelineError(.invalidArgument, "--out \(output): cannot create the directory: \(FileAccess.reason(error))")
        }
        var files: [String] = []
        for layer in indices {
            let url = outDirectory.appendingPathComponent(String(format: "layer-%02d.npy", layer))
            do {
                try NumpyWriter.write(matrices[layer]!, to: url)
            } catch {
                throw PipelineError(.badInput, error.message)
            }
            files.append(url.path)
        }
        let elapsed = started.duration(to: .now)
        return Summary(sequences: sequences.count, truncated: truncated, tokens: sequences.map(\.count).reduce(0, +),
                       files: files, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    /// The ids of each non-empty line cut to `limit`, the line numbers (1-based) they come
    /// from, and how many lines were cut.
    private func tokenizedLines(limit: Int) throws -> (sequences: [[Int32]], lines: [Int], truncated: Int) {
        let tokenizer: Tokenizer
        do {
            tokenizer = try Tokenizer.load(self.tokenizer ?? checkpoint)
        } catch let error as TokenizerError {
            let hint = self.tokenizer == nil && error.code == .notFound ? " (pass --tokenizer FILE)" : ""
            throw PipelineError(error.code == .notFound ? .notFound : .badInput, error.description + hint)
        }
        let data: Data
        do {
            data = try FileAccess.read(textFile)
        } catch {
            throw PipelineError(error.kind == .notFound ? .notFound : .badInput, "--text \(textFile): \(error.reason)")
        }
        var encoder = tokenizer.makeEncoder()
        var sequences: [[Int32]] = [], lines: [Int] = [], truncated = 0
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            guard let text = String(validating: line, as: UTF8.self) else {
                throw PipelineError(.badInput, "\(textFile) line \(index + 1): not valid UTF-8")
            }
            let ids = encoder.encode(text)
            if ids.isEmpty { continue }
            if ids.count > limit { truncated += 1 }
            sequences.append(Array(ids.prefix(limit)))
            lines.append(index + 1)
        }
        guard !sequences.isEmpty else {
            throw PipelineError(.badInput, "--text \(textFile): the probe file has no non-empty lines, so there is nothing to run")
        }
        return (sequences, lines, truncated)
    }
}
