/// Checks shared by every metric that reads a spectrum.
enum SpectrumValidation {
    /// Rejects an empty, non-finite, negative or all-zero spectrum, naming `what` it is.
    static func check(_ values: [Double], _ what: String) throws(MetricError) {
        guard !values.isEmpty else { throw MetricError(.tooFewValues, "\(what): no values") }
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw MetricError(.nonFinite, "\(what): value \(i + 1) of \(values.count) is \(values[i])")
        }
        if let i = values.firstIndex(where: { $0 < 0 }) {
            throw MetricError(.nonPositive, "\(what): value \(i + 1) of \(values.count) is negative (\(values[i]))")
        }
        guard values.contains(where: { $0 > 0 }) else {
            throw MetricError(.allZero, "\(what): all \(values.count) values are zero (a constant or all-zero matrix)")
        }
    }
}
