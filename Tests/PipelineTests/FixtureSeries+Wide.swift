import Checkpoints
import Foundation
import LinearAlgebra
import SpectraTestSupport

extension FixtureSeries {
    /// A wider random GPT-NeoX series (the fixture's layout scaled to `hidden` and
    /// `layers`, weights from a fixed-seed generator): slow enough per batch that a test
    /// can interrupt an extract in the middle.
    static func makeWide(hidden: Int = 256, layers: Int = 4, revisions count: Int = 2) throws -> FixtureSeries {
        let base = try make(revisions: count, name: "wide-neox")
        let template = try SafetensorsFile(url: fixture.appendingPathComponent("model.safetensors"))
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.appendingPathComponent("config.json"))) as! [String: Any]
        config["hidden_size"] = hidden
        config["intermediate_size"] = 4 * hidden
        config["num_hidden_layers"] = layers
        config["num_attention_heads"] = hidden / 32
        let configData = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
        for (r, revision) in base.revisions.enumerated() {
            var random = FixtureRandom(seed: UInt64(r + 1))
            var tensors: [SafetensorsWriter.Tensor] = []
            for name in template.tensorNames where !name.contains(".layers.") || name.contains(".layers.0.") {
                let shape = try template.info(name).shape.map { $0 == 32 ? hidden : $0 == 96 ? 3 * hidden : $0 == 128 ? 4 * hidden : $0 }
                let copies = name.contains(".layers.0.") ? (0..<layers).map { name.replacingOccurrences(of: ".layers.0.", with: ".layers.\($0).") } : [name]
                for copy in copies {
                    let count = shape.reduce(1, *)
                    let values: [Float]
                    if name.hasSuffix("norm.weight") {
                        values = Array(repeating: 1, count: count)
                    } else if name.hasSuffix("norm.bias") {
                        values = Array(repeating: 0, count: count)
                    } else {
                        values = (0..<count).map { _ in random.normal() * 0.02 * Float(1 + r) }
                    }
                    tensors.append((copy, shape, .f32, values))
                }
            }
            let directory = base.directory.appendingPathComponent(revision)
            try SafetensorsWriter.write(tensors: tensors, to: directory.appendingPathComponent("model.safetensors"))
            try configData.write(to: directory.appendingPathComponent("config.json"))
        }
        return base
    }
}

/// Box–Muller over the pipeline's SplitMix64: reproducible weights without Foundation's generator.
struct FixtureRandom {
    var source: SplitMix64

    init(seed: UInt64) { source = SplitMix64(seed: seed) }

    mutating func normal() -> Float {
        let u1 = (Double(source.next() >> 11) + 1) / 9_007_199_254_740_993
        let u2 = Double(source.next() >> 11) / 9_007_199_254_740_992
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
}
