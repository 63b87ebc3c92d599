import Foundation

/// A deterministic mutator of seed inputs: the same seed and round give the same bytes,
/// so a failure names a reproducible input. Each input is a seed with one to four of:
/// bit flips, byte sets, interesting integers spliced into digit runs (text) or written
/// over binary fields, JSON values replaced by other kinds, truncation, duplication,
/// deletion, deep nesting, and splicing with another seed.
struct Mutator {
    /// Decimal strings spliced over a run of digits: the limits of the integer types,
    /// powers of two that overflow products, and numbers JSON readers disagree on.
    static let interestingDecimals = [
        "0", "-1", "1", "255", "65536", "2147483647", "2147483648", "4294967296", "1073741824",
        "9223372036854775807", "-9223372036854775808", "18446744073709551616",
        "99999999999999999999999", "1e308", "-0", "1.5", "1e-400", "576460752303423488",
    ]
    /// The same limits as little-endian binary fields of 1, 2, 4 or 8 bytes.
    static let interestingIntegers: [UInt64] = [
        0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
        1 << 30, 1 << 32, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, .max,
    ]
    /// What a JSON number or literal is replaced by, to change its kind.
    static let jsonValues = ["null", "true", "\"\"", "\"x\"", "[]", "{}", "[1,2]", "{\"a\":1}", "-", "1e", "\"\\u0000\""]

    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }

    /// One mutated input from `seeds` (at least one).
    mutating func mutate(_ seeds: [[UInt8]]) -> [UInt8] {
        var bytes = seeds[below(seeds.count)]
        for _ in 0...below(4) { apply(&bytes, seeds: seeds) }
        return bytes
    }

    private mutating func apply(_ bytes: inout [UInt8], seeds: [[UInt8]]) {
        guard !bytes.isEmpty else { bytes = [UInt8(truncatingIfNeeded: next())]; return }
        switch below(11) {
        case 0:
            bytes[below(bytes.count)] ^= 1 << UInt8(below(8))
        case 1:
            bytes[below(bytes.count)] = [0, 0xFF, 0x7F, 0x80, 0x22, 0x5C, UInt8(truncatingIfNeeded: next())][below(7)]
        case 2, 3:
            spliceDecimal(&bytes)
        case 4:
            let value = Self.interestingIntegers[below(Self.interestingIntegers.count)]
            let width = [1, 2, 4, 8][below(4)]
            let at = below(bytes.count)
            for i in 0..<width where at + i < bytes.count { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        case 5:
            replaceJSONValue(&bytes)
        case 6:
            bytes.removeLast(below(bytes.count) + 1)
        case 7:
            let start = below(bytes.count), length = 1 + below(min(64, bytes.count - start))
            bytes.insert(contentsOf: bytes[start..<start + length], at: below(bytes.count + 1))
        case 8:
            let start = below(bytes.count), length = 1 + below(min(32, bytes.count - start))
            bytes.removeSubrange(start..<start + length)
        case 9:
            // Nesting deeper than any reader's limit (Foundation's JSON readers stop at 512).
            let open: UInt8 = [0x5B, 0x7B, 0x28][below(3)]  // [ { (
            bytes.insert(contentsOf: Array(repeating: open, count: 100 + below(1_000)), at: below(bytes.count + 1))
        default:
            let other = seeds[below(seeds.count)]
            guard !other.isEmpty else { return }
            let cut = below(bytes.count), from = below(other.count)
            bytes = Array(bytes[..<cut]) + other[from...]
        }
    }

    /// The digit runs of `bytes` (with a leading minus sign), as ranges.
    private func digitRuns(_ bytes: [UInt8]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i] >= 0x30 && bytes[i] <= 0x39 else { i += 1; continue }
            var start = i
            if start > 0 && bytes[start - 1] == 0x2D { start -= 1 }
            while i < bytes.count && ((bytes[i] >= 0x30 && bytes[i] <= 0x39) || bytes[i] == 0x2E) { i += 1 }
            runs.append(start..<i)
        }
        return runs
    }

    private mutating func spliceDecimal(_ bytes: inout [UInt8]) {
        let runs = digitRuns(bytes)
        let replacement = Array(Self.interestingDecimals[below(Self.interestingDecimals.count)].utf8)
        guard !runs.isEmpty else { bytes.insert(contentsOf: replacement, at: below(bytes.count + 1)); return }
        bytes.replaceSubrange(runs[below(runs.count)], with: replacement)
    }

    private mutating func replaceJSONValue(_ bytes: inout [UInt8]) {
        var candidates = digitRuns(bytes)
        // Literals and short strings too: a value after a colon up to the next , } or ].
        for (i, byte) in bytes.enumerated() where byte == 0x3A {
            var end = i + 1
            while end < bytes.count && ![0x2C, 0x7D, 0x5D, 0x0A].contains(bytes[end]) && end - i < 48 { end += 1 }
            if end > i + 1 { candidates.append(i + 1..<end) }
        }
        guard !candidates.isEmpty else { return }
        bytes.replaceSubrange(candidates[below(candidates.count)],
                              with: Array(Self.jsonValues[below(Self.jsonValues.count)].utf8))
    }
}
