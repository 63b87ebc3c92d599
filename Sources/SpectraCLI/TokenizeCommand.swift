import ArgumentParser
import Pipeline
import Jobs

/// `spectra tokenize`: token ids per line.
struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the token ids of each line of a text (byte-level BPE, as HF tokenizers encodes).")

    @Argument(help: "A tokenizer.json, or a checkpoint directory that contains one.")
    var tokenizer: String

    @Argument(help: "The text, one text per line (default: standard input).")
    var file: String?

    @Flag(help: "Print one JSON array per line instead of space-separated ids.")
    var json = false

    func validate() throws {
        guard !tokenizer.isEmpty else { throw ValidationError("TOKENIZER must not be empty") }
        if let file, file.isEmpty { throw ValidationError("FILE must not be empty (omit it to read standard input)") }
    }

    func run() throws {
        try TokenizeRequest(tokenizer: tokenizer, input: file, json: json).run { print($0, terminator: "") }
    }
}
