import Checkpoints
import Foundation
import Jobs
import Models
import Pipeline

/// A parser of files that come from outside (the hub, researchers), driven by arbitrary
/// bytes: what the mutation tests and the libFuzzer driver (`spectra-fuzz`) call.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A `.npy` array (`NumpyFile`), then its elements.
    case npy
    /// A safetensors file (`SafetensorsFile`), then every tensor it lists.
    case safetensors
    /// A PyTorch `.bin` checkpoint (ZIP + pickle, `TorchCheckpointFile`), then every tensor.
    case torch
    /// A `tokenizer.json` (`Tokenizer`), then an encode and decode round.
    case tokenizer
    /// A `config.json` (`ModelConfig`).
    case config
    /// A series' `catalog.json` (`RevisionCatalog`), over a scratch series whose revisions
    /// step0…step3 and hub-cache repository org/fuzz@main exist.
    case catalog
    /// A post-training lineage file (`plan --lineage FILE.json`), over a scratch directory
    /// with checkpoints base/ and sft/ and a hub cache holding org/fuzz@main.
    case lineage
    /// A text probe file (`ProbeSet`), then a shuffle and a selection.
    case probe
    /// A JSONL probe file (`ProbeSet`), then a shuffle and a selection.
    case probeJSONL = "probe-jsonl"

    /// The folder of its seed corpus under Tests/Fixtures/fuzz.
    public var corpusName: String { rawValue }

    /// The file name the input is written under (the parsers choose by extension).
    var fileName: String {
        switch self {
        case .npy: "input.npy"
        case .safetensors: "model.safetensors"
        case .torch: "pytorch_model.bin"
        case .tokenizer: "tokenizer.json"
        case .config: "config.json"
        case .catalog: "catalog.json"
        case .lineage: "lineage.json"
        case .probe: "probe.txt"
        case .probeJSONL: "probe.jsonl"
        }
    }
}

/// What a parser made of one input.
public enum FuzzOutcome: Sendable, Equatable {
    /// The input parsed; `detail` summarizes what was read.
    case accepted(String)
    /// The parser refused the input with an error; `message` is its text.
    case rejected(String)
    /// Not run: the scratch file could not be written.
    case skipped(String)
}

/// The entry points: each writes the bytes to a scratch file, parses it the way Spectra
/// does, reads whatever the parse promises is readable, and reports a thrown error as a
/// rejection. Only a crash, a trap or a hang is a finding.
public enum FuzzTargets {
    /// Parses `data` as `target`, in a private scratch directory of this process.
    public static func run(_ target: FuzzTarget, _ data: Data) -> FuzzOutcome {
        // One input per target at a time: they share the target's scratch file.
        let lock = Scratch.shared.lock(for: target)
        lock.lock()
        defer { lock.unlock() }
        let directory = Scratch.shared.directory(for: target)
        let url = directory.appendingPathComponent(target.fileName)
        do {
            try data.write(to: url)
        } catch {
            return .skipped("cannot write the scratch file \(url.path): \(error)")
        }
        do {
            switch target {
            case .npy: return .accepted(try npy(url))
            case .safetensors: return .accepted(try tensors(SafetensorsFile(url: url)))
            case .torch: return .accepted(try tensors(TorchCheckpointFile(url: url)))
            case .tokenizer: return .accepted(try tokenizer(data, path: url.path))
            case .config: return .accepted(try config(data, path: url.path))
            case .catalog: return .accepted(try catalog(directory))
            case .lineage: return .accepted(try LineageSource.stageSummaries(lineageFile: url.path).joined(separator: "; "))
            case .probe, .probeJSONL: return .accepted(try probe(url.path))
            }
        } catch {
            return .rejected(String(describing: error))
        }
    }

    static func npy(_ url: URL) throws -> String {
        let file = try NumpyFile(url: url)
        var sum = 0.0
        file.withElements { elements in
            switch elements {
            case .float32(let b): for x in b { sum += Double(x) }
            case .float64(let b): for x in b { sum += x }
            }
        }
        if file.shape.count == 2 { _ = try file.matrix() }
        return "shape \(file.shape), \(file.dtype), sum \(sum)"
    }

    static func tensors(_ file: some TensorFile) throws -> String {
        var read = 0
        for name in file.tensors.keys.sorted() {
            let info = try file.info(name)
            guard info.dtype.isReadableAsFloat else { continue }
            let (_, values) = try file.tensor(name)
            read += values.count
            if info.shape.count == 2 { _ = try file.matrix(name) }
        }
        return "\(file.tensors.count) tensors, \(read) values"
    }

    static func tokenizer(_ data: Data, path: String) throws -> String {
        let tokenizer = try Tokenizer(data: data, path: path)
        let text = "Hello, world! <|endoftext|>  tab\tnewline\n ünïcödé 12345 "
        let ids = tokenizer.encode(text)
        _ = tokenizer.decode(ids + [-1, Int32.max])
        return "vocabulary \(tokenizer.vocabularySize), \(ids.count) ids"
    }

    static func config(_ data: Data, path: String) throws -> String {
        let config = try ModelConfig(json: data, source: path)
        for layer in 0..<min(config.layerCount, 64) { _ = config.attentionWindow(layer: layer) }
        return "\(config.architecture) \(config.layerCount)×\(config.hiddenSize)"
    }

    static func catalog(_ directory: URL) throws -> String {
        let catalog = try RevisionCatalog.load(seriesDirectory: directory)
        _ = catalog.revisions
        return "\(catalog.entries.count) revisions"
    }

    static func probe(_ path: String) throws -> String {
        let probe = try ProbeSet.load(path: path)
        _ = probe.shuffled(seed: 7)
        let spec = ProbeSpec(path: path, sha256: probe.sha256, format: probe.format, seed: 7,
                             samples: 4, maxTokens: 8, minTokens: 1)
        let selection = try? probe.select(spec) { text in text.utf8.prefix(64).map { Int32($0) } }
        return "\(probe.documents.count) documents, \(selection?.lines.count ?? 0) selected"
    }
}
