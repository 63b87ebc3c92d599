import Checkpoints
import Foundation
import SpectraTestSupport

/// A local checkpoint series made from the tiny GPT-NeoX fixture (Tests/Fixtures/models,
/// 3 blocks, width 32) and the GPT-NeoX tokenizer fixture: revisions whose weights are
/// scaled differently, optionally one with NaN weights, plus an English probe file.
struct FixtureSeries {
    let directory: URL
    let probe: URL
    let revisions: [String]

    static let fixture = SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/models/gpt-neox")

    /// `model` names the fixture under Tests/Fixtures/models; its own tokenizer.json is
    /// used where it has one, the GPT-NeoX tokenizer fixture otherwise.
    static func make(revisions count: Int = 3, nanRevision: Int? = nil, name: String = "fixture-neox",
                     model: String = "gpt-neox") throws -> FixtureSeries {
        let fm = FileManager.default
        let fixture = Self.fixture.deletingLastPathComponent().appendingPathComponent(model)
        let ownTokenizer = fixture.appendingPathComponent("tokenizer.json")
        let tokenizer = fm.fileExists(atPath: ownTokenizer.path) ? ownTokenizer
            : SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizer/tokenizer.json")
        let directory = fm.temporaryDirectory.appendingPathComponent("spectra-series-\(UUID().uuidString)")
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let source = try SafetensorsFile(url: fixture.appendingPathComponent("model.safetensors"))
        var names: [String] = []
        var entries: [String] = []
        for i in 0..<count {
            let revision = "step\(i * 100)"
            names.append(revision)
            entries.append("{\"name\": \"\(revision)\", \"step\": \(i * 100), \"tokens\": \(i * 100 * 4096)}")
            let target = directory.appendingPathComponent(revision)
            try fm.createDirectory(at: target, withIntermediateDirectories: true)
            try fm.copyItem(at: fixture.appendingPathComponent("config.json"), to: target.appendingPathComponent("config.json"))
            try fm.copyItem(at: tokenizer, to: target.appendingPathComponent("tokenizer.json"))
            var tensors: [SafetensorsWriter.Tensor] = []
            for tensorName in source.tensorNames {
                let (shape, values) = try source.tensor(tensorName)
                let scale = Float(1 + 0.5 * Double(i))
                var scaled = tensorName.contains("weight") && shape.count == 2 ? values.map { $0 * scale } : values
                if i == nanRevision, tensorName.hasSuffix("final_layer_norm.weight") { scaled[0] = .nan }
                tensors.append((tensorName, shape, .f32, scaled))
            }
            try SafetensorsWriter.write(tensors: tensors, to: target.appendingPathComponent("model.safetensors"))
        }
        let catalog = "{\"model\": \"\(name)\", \"family\": \"pythia-like\", \"revisions\": [\(entries.joined(separator: ", "))]}"
        try catalog.write(to: directory.appendingPathComponent("catalog.json"), atomically: true, encoding: .utf8)
        let probe = directory.appendingPathComponent("probe.txt")
        try Self.probeText.write(to: probe, atomically: true, encoding: .utf8)
        return FixtureSeries(directory: directory, probe: probe, revisions: names)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Sixty plain English sentences, long enough to pass the 10-token minimum.
    static let probeText: String = {
        let subjects = ["The river", "A small committee", "Every morning the baker", "The old lighthouse keeper", "Our new telescope",
                        "The quiet library", "A distant train", "The gardener next door"]
        let verbs = ["carefully described", "slowly measured", "quietly remembered", "suddenly noticed", "patiently explained"]
        let objects = ["the changing colours of the autumn hills before the first snow arrived",
                       "how many stars could be counted from the northern field after midnight",
                       "the long history of the bridge that crosses the valley near the town",
                       "why the ships returned early from their voyage across the grey winter sea"]
        var lines: [String] = []
        for i in 0..<60 {
            lines.append("\(subjects[i % subjects.count]) \(verbs[i % verbs.count]) \(objects[i % objects.count]), line \(i).")
        }
        return lines.joined(separator: "\n") + "\n"
    }()
}
