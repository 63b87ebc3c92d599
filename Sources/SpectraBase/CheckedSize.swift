/// Sums and products of sizes that come from files or flags, without trapping.
///
/// A size read from a config or typed on the command line can be anything; the
/// arithmetic that turns it into bytes must report an overflow as a value, so the caller
/// can name the field in an error instead of the process dying on a trap. Terms may be
/// nil (an earlier size that already overflowed), so estimates chain without unwrapping
/// each step; a nil or negative term (no size is negative) makes the result nil.
public enum CheckedSize {
    /// The product of `factors`, or nil when it does not fit in `T`.
    public static func product<T: FixedWidthInteger>(_ factors: T...) -> T? {
        product(factors.map(Optional.some))
    }

    /// The product of `factors` (1 when empty), or nil when a factor is nil or negative or
    /// the product does not fit in `T`.
    public static func product<T: FixedWidthInteger>(_ factors: [T?]) -> T? {
        var result: T = 1
        for factor in factors {
            guard let factor, factor >= 0 else { return nil }
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// The sum of `terms`, or nil when it does not fit in `T`.
    public static func sum<T: FixedWidthInteger>(_ terms: T...) -> T? {
        sum(terms.map(Optional.some))
    }

    /// The sum of `terms` (0 when empty), or nil when a term is nil or negative or the sum
    /// does not fit in `T`.
    public static func sum<T: FixedWidthInteger>(_ terms: [T?]) -> T? {
        var result: T = 0
        for term in terms {
            guard let term, term >= 0 else { return nil }
            let (next, overflow) = result.addingReportingOverflow(term)
            if overflow { return nil }
            result = next
        }
        return result
    }
}
