import ArgumentParser
import Pipeline
import Hub

/// `spectra fetch`: download revisions of a built-in model into the hub cache.
struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download revisions of a built-in model (Pythia, OLMo, OLMo-2) into the Hugging Face hub cache.",
        discussion: """
            HF_ENDPOINT (default https://huggingface.co) and HF_TOKEN (a bearer token) are honoured; \
            the cache is HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. Interrupted \
            transfers resume where they stopped; every file is checked against the server's size and sha256.
            --steps: all | 0,1000,143000 | step1000 | every:N | log:K | tokens:1B..100B (K, M, B, T), comma-separated.
            """)

    @Option(help: "Model family: pythia, olmo or olmo2 (checked against --model).")
    var family: String?

    @Option(help: "A built-in model: pythia-70m … pythia-12b (and -deduped), olmo-1b, olmo-7b, olmo2-1b, olmo2-7b, olmo2-13b.")
    var model: String

    @Option(help: "Which revisions (see below).")
    var steps: String = "log:8"

    @Option(help: "The hub cache directory to fill instead of the default.")
    var cache: String?

    @Flag(help: "Print the selected revisions without downloading.")
    var list = false

    func validate() throws {
        guard !model.isEmpty else { throw ValidationError("--model must not be empty") }
        if let family, !["pythia", "olmo", "olmo2"].contains(family.lowercased()) {
            throw ValidationError("--family \(family): expected pythia, olmo or olmo2")
        }
    }

    func run() throws {
        try FetchRequest(model: model, family: family, steps: steps, cache: cache, listOnly: list).run {
            print($0, terminator: "")
        }
    }
}
