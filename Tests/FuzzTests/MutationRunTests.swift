import Foundation
import FuzzTargets
import Testing

/// Where the committed seed corpora and regression inputs are.
enum FuzzCorpus {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz")

    /// The files of `folder` under Tests/Fixtures/fuzz, sorted by name.
    static func files(_ folder: String) -> [URL] {
        let directory = root.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// The seed corpus of `target`: files of its kind, valid except those named reject-*
    /// (kept to exercise a refusal deeper than the first check).
    static func seeds(_ target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        try files(target.corpusName).map { ($0.lastPathComponent, [UInt8](try Data(contentsOf: $0))) }
    }
}

/// A seeded, bounded mutation run over every parser: each seed corpus is mutated into a
/// few thousand inputs, every one parsed in this process. A crash kills the test process
/// (the input that did it is the last file written under $TMPDIR/spectra-fuzz-PID/TARGET;
/// replay it with `spectra-fuzz TARGET FILE`); a parse slower than the bound is a hang.
/// SPECTRA_FUZZ_ROUNDS scales the run (default 1) for longer local runs.
@Suite struct MutationRunTests {
    /// Inputs per parser in one round. The parsers differ a lot in cost per input (a
    /// tokenizer.json builds its vocabulary, an npy header is a few string searches).
    static func inputs(_ target: FuzzTarget) -> Int {
        let rounds = ProcessInfo.processInfo.environment["SPECTRA_FUZZ_ROUNDS"].flatMap(Int.init) ?? 1
        let base: Int = switch target {
        case .tokenizer: 1_500
        case .torch, .catalog, .lineage, .probe, .probeJSONL, .config: 2_000
        case .npy, .safetensors: 3_000
        }
        return base * max(rounds, 1)
    }

    /// A parse of a few KB that takes this long is stuck, not slow (debug build, loaded machine).
    static let hangBound: TimeInterval = 5

    @Test(arguments: FuzzTarget.allCases)
    func mutatedSeedsParseOrFailCleanly(_ target: FuzzTarget) throws {
        let seeds = try FuzzCorpus.seeds(target)
        #expect(seeds.count >= 1, "no seed corpus under Tests/Fixtures/fuzz/\(target.corpusName)")
        // Every seed is a valid file of its kind: a corpus of rejects would fuzz only the
        // first check of each parser.
        for seed in seeds {
            let outcome = FuzzTargets.run(target, Data(seed.bytes))
            switch outcome {
            case .accepted: #expect(!seed.name.hasPrefix("reject-"), "seed \(seed.name) of \(target) is accepted")
            default: #expect(seed.name.hasPrefix("reject-"), "seed \(seed.name) of \(target) is not accepted: \(outcome)")
            }
        }
        let corpus = seeds.map(\.bytes)
        // Seeded by the target's name (FNV-1a), so adding a target changes no other's inputs.
        var mutator = Mutator(seed: target.rawValue.utf8.reduce(0xCBF2_9CE4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 })
        var counts = (accepted: 0, rejected: 0, skipped: 0)
        var slowest: (seconds: TimeInterval, round: Int) = (0, -1)
        for round in 0..<Self.inputs(target) {
            let input = Data(mutator.mutate(corpus))
            let started = Date()
            let outcome = FuzzTargets.run(target, input)
            let seconds = Date().timeIntervalSince(started)
            if seconds > slowest.seconds { slowest = (seconds, round) }
            switch outcome {
            case .accepted: counts.accepted += 1
            case .rejected(let message):
                counts.rejected += 1
                #expect(!message.isEmpty, "\(target) input \(round): an error without a message")
            case .skipped: counts.skipped += 1
            }
            if seconds > Self.hangBound {
                Issue.record("\(target) input \(round) took \(seconds) s (bound \(Self.hangBound) s): \(input.base64EncodedString().prefix(200))…")
            }
        }
        // The mutations must reach past the first check, and the inputs must mostly run
        // (a text probe file is refused only when every line is blank).
        #expect(counts.accepted > 0)
        #expect(counts.rejected > 0 || target == .probe)
        #expect(counts.skipped == 0, "\(counts.skipped) inputs could not be written")
        print("fuzz \(target): \(Self.inputs(target)) inputs, \(counts.accepted) accepted, \(counts.rejected) rejected, "
              + "\(counts.skipped) skipped, slowest \(Int(slowest.seconds * 1000)) ms (input \(slowest.round))")
    }
}
