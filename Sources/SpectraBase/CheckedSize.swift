/// Sums and products of sizes that come from files or flags, without trapping.
///
/// A size read from a config or typed on the command line can be anything; the
/// arithmetic that turns it into bytes must report an overflow as a value, so the caller
/// can name the field in an error instead of the process dying on a trap.
public enum CheckedSize {
    /// The product of `factors`, or nil when it does not fit in `T`.
    public static func product<T: FixedWidthInteger>(_ factors: T...) -> T? {
        product(factors)
    }

    /// The product of `factors` (1 when empty), or nil when it does not fit in `T`.
    public static func product<T: FixedWidthInteger, S: Sequence<T>>(_ factors: S) -> T? {
        var result: T = 1
        for factor in factors {
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// The sum of `terms`, or nil when it does not fit in `T`.
    public static func sum<T: FixedWidthInteger>(_ terms: T...) -> T? {
        var result: T = 0
        for term in terms {
            let (next, overflow) = result.addingReportingOverflow(term)
            if overflow { return nil }
            result = next
        }
        return result
    }
}
