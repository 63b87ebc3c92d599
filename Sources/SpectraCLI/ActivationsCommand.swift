import ArgumentParser
import Pipeline
import Jobs

/// `spectra activations`: per-layer representation matrices of a checkpoint over a probe text.
struct Activations: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a checkpoint over a probe text and write one pooled layer-NN.npy (N × d float32) per hidden state.")

    @Argument(help: "A checkpoint directory (config.json, model.safetensors or pytorch_model.bin or their index, tokenizer.json) of GPT-NeoX, OLMo, OLMo-2, Llama, Qwen2 or Mistral.")
    var checkpoint: String

    @Option(help: "The probe text: one sequence per non-empty line.")
    var text: String

    @Option(help: "Hidden-state indices: all, or e.g. 0,2,4-7 (0 = embeddings, L = after the final norm).")
    var layers = "all"

    @Option(help: "last (the last token of each line) or mean (over its tokens).")
    var pooling: Pooling = .last

    @Option(help: "Tokens kept per line (default: the model's context, max_position_embeddings).")
    var maxTokens: Int?

    @Option(help: "Lines per forward pass.")
    var batch = 16

    @Option(help: "A tokenizer.json (default: the checkpoint's own).")
    var tokenizer: String?

    @Option(help: "Output directory for layer-NN.npy.")
    var out: String

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default info, or SPECTRA_LOG_LEVEL).")
    var logLevel: String?

    func validate() throws {
        if let maxTokens { try checkRange(maxTokens, OptionLimits.maxTokens, "--max-tokens") }
        try checkRange(batch, OptionLimits.forwardBatch, "--batch")
        _ = try LayerSelection(parsing: layers)
        try options.validate()
    }

    private var options: CommonOptions {
        var options = CommonOptions()
        options.logLevel = logLevel
        return options
    }

    func run() throws {
        let request = ActivationsRequest(
            checkpoint: checkpoint, textFile: text, layers: try LayerSelection(parsing: layers),
            pooling: pooling, maxTokens: maxTokens, batchSize: batch, tokenizer: tokenizer, output: out)
        let summary = try request.run(logger: options.logger("spectra.activations"))
        print("\(summary.sequences) sequences, \(summary.tokens) tokens, \(summary.files.count) layers → \(out) "
              + "(\(String(format: "%.2f", summary.seconds)) s)")
    }
}
