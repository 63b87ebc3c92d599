import LinearAlgebra

/// Prompt entropy (Layer by Layer): the matrix Rényi entropy of each sequence's token
/// matrix (T tokens × d), averaged over sequences.
public enum PromptEntropy {
    public static func compute(tokenMatrices: [Matrix<Float>], order a: Double) throws(MetricError) -> Double {
        guard !tokenMatrices.isEmpty else { throw MetricError(.tooFewValues, "prompt entropy: no sequences") }
        var sum = 0.0
        for (index, tokens) in tokenMatrices.enumerated() {
            let values: [Double]
            do {
                values = try GramSpectrum.squaredSingularValues(of: tokens)
            } catch {
                throw MetricError(error.code == .nonFinite ? .nonFinite : .invalidArgument,
                                  "prompt entropy: sequence \(index): \(error.message)")
            }
            do {
                sum += try RenyiEntropy.compute(gramEigenvalues: values.map { max($0, 0) }, order: a)
            } catch {
                throw MetricError(error.code, "prompt entropy: sequence \(index): \(error.message)")
            }
        }
        return sum / Double(tokenMatrices.count)
    }
}
