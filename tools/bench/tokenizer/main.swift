// Times Spectra's tokenizer on one core: encodes every line of a text file with one
// TokenEncoder (a fresh one, so a cold word cache, each repetition) and prints one JSON
// object. Driven by bench.py, which times HF tokenizers on the same file in the same run.
//
//   swift build -c release --product tokenizer-bench
//   .build/release/tokenizer-bench TOKENIZER TEXT [REPEATS]
import Foundation
import Models

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: tokenizer-bench TOKENIZER TEXT [REPEATS]\n".utf8))
    exit(2)
}
let repeats = arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3

let loadStart = ContinuousClock.now
let tokenizer = try Tokenizer.load(arguments[1])
let loadSeconds = (ContinuousClock.now - loadStart).seconds

guard let data = FileManager.default.contents(atPath: arguments[2]) else {
    FileHandle.standardError.write(Data("cannot read \(arguments[2])\n".utf8))
    exit(1)
}
let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }

var best = Double.infinity
var tokens = 0
for _ in 0..<repeats {
    var encoder = tokenizer.makeEncoder()
    var count = 0
    let start = ContinuousClock.now
    for line in lines { count += encoder.encode(line).count }
    best = min(best, (ContinuousClock.now - start).seconds)
    tokens = count
}
let megabytes = Double(data.count) / 1e6
print(#"{"bytes": \#(data.count), "lines": \#(lines.count), "tokens": \#(tokens), "load_s": \#(loadSeconds), "encode_s": \#(best), "mb_per_s": \#(megabytes / best)}"#)

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
