import Checkpoints

/// The ranges of Spectra's numeric options. Each is checked before the value reaches any
/// arithmetic or allocation, with a message naming the option, the value and the range.
public enum OptionLimits {
    /// `--samples`: probe sequences per checkpoint (each one row of every activation matrix).
    public static let samples = 2...(1 << 24)
    /// `--max-tokens`: tokens per probe sequence (no model has more positions).
    public static let maxTokens = 1...ModelLimits.positions
    /// `--batch` of a forward pass: sequences at once.
    public static let forwardBatch = 1...(1 << 16)
    /// `--concurrency` and `--workers`: threads or processes on one machine.
    public static let concurrency = 1...1024
    /// `--batch` of `spectra work`: jobs claimed at once.
    public static let claimBatch = 1...1024
    /// `--lease-seconds`: at least three heartbeats' worth, at most a day.
    public static let leaseSeconds = 3.0...86_400.0
    /// `--grace`, `--progress-interval`, `--interval`: seconds, at most a day.
    public static let seconds = 0.0...86_400.0
    /// `--rank` and `--max-components` of a spectrum: at most the widest model dimension.
    public static let components = 1...ModelLimits.intermediateSize

    /// Throws an error naming `option` unless `value` lies in `range`.
    public static func check<T: Comparable>(_ value: T, in range: ClosedRange<T>, option: String) throws(PipelineError) {
        // `contains` is false for NaN, so a NaN seconds value is refused too.
        guard range.contains(value) else {
            throw PipelineError(.invalidArgument,
                "\(option) \(value) is out of range: expected \(range.lowerBound)…\(range.upperBound)")
        }
    }
}
