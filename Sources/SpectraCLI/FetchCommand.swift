import ArgumentParser
import Pipeline
import Hub

/// `spectra fetch`: download revisions of a built-in model into the hub cache.
struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download revisions of a built-in model (Pythia, OLMo, OLMo-2) or of any Hub repository into the Hugging Face hub cache.",
        discussion: """
            HF_ENDPOINT (default https://huggingface.co) and HF_TOKEN (a bearer token) are honoured; \
            the cache is HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. Interrupted \
            transfers resume where they stopped; every file is checked against the server's size and sha256.
            --steps: all | 0,1000,143000 | step1000 | every:N | log:K | tokens:1B..100B (K, M, B, T), comma-separated.
            A repository without a built-in catalog (ORG/NAME) offers its branches: step and tokens are read from \
            names such as step1000, step-1000, step1000-tokens4B, stage1-step1000-tokens4B or ckpt_042; \
            ORG/NAME@REVISION fetches that one revision.
            """)

    @Option(help: "Model family: pythia, olmo, olmo2 or hub (checked against --model).")
    var family: String?

    @Option(help: "A built-in model (pythia-70m … pythia-12b and -deduped, olmo-1b, olmo-7b, olmo2-1b, olmo2-7b, olmo2-13b), or any Hub repository ORG/NAME[@REVISION].")
    var model: String

    @Option(help: "Which revisions (see below).")
    var steps: String = "log:8"

    @Option(help: "The hub cache directory to fill instead of the default.")
    var cache: String?

    @Option(help: "Tokens per optimizer step, for branch names that carry no token count.")
    var tokensPerStep: Int?

    @Flag(help: "Print the selected revisions without downloading.")
    var list = false

    func validate() throws {
        guard !model.isEmpty else { throw ValidationError("--model must not be empty") }
        if let family, !["pythia", "olmo", "olmo2", "hub"].contains(family.lowercased()) {
            throw ValidationError("--family \(family): expected pythia, olmo, olmo2 or hub")
        }
        if let tokensPerStep, !(1...(1 << 40)).contains(tokensPerStep) {
            throw ValidationError("--tokens-per-step must be between 1 and 2^40, got \(tokensPerStep)")
        }
    }

    func run() throws {
        try FetchRequest(model: model, family: family, steps: steps, cache: cache, listOnly: list,
                         tokensPerStep: tokensPerStep).run {
            print($0, terminator: "")
        }
    }
}
