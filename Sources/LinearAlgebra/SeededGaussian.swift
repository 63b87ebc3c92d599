// Elementary functions without Foundation: Glibc on Linux, Darwin on macOS.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard normal samples from a fixed, portable generator, so a randomized spectrum
/// is the same on every machine for the same seed (Swift's `SystemRandomNumberGenerator`
/// is not seedable and the standard library promises no stable seeded generator).
struct SeededGaussian {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// xoshiro256** seeded through SplitMix64, as its authors recommend.
    init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        state = (seeder.next(), seeder.next(), seeder.next(), seeder.next())
    }

    private mutating func nextBits() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = (state.3 << 45) | (state.3 >> 19)
        return result
    }

    /// Uniform in (0, 1], never 0, so the logarithm below is finite.
    private mutating func uniform() -> Double {
        Double((nextBits() >> 11) + 1) * 0x1.0p-53
    }

    /// `count` independent N(0, 1) samples (Box–Muller, both outputs used).
    mutating func samples(_ count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        var i = 0
        while i < count {
            let r = (-2 * _log(uniform())).squareRoot(), theta = 2 * Double.pi * uniform()
            out[i] = Float(r * _cos(theta))
            if i + 1 < count { out[i + 1] = Float(r * _sin(theta)) }
            i += 2
        }
        return out
    }
}

@inline(__always) private func _log(_ x: Double) -> Double { log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { cos(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { sin(x) }
