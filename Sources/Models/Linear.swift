internal import CLinalg

/// A dense layer `y = x Wᵀ + b` with W stored as in the checkpoint (out × in, row-major),
/// so sgemm reads it transposed in place and no copy of the weights is made.
struct Linear: Sendable {
    let inFeatures: Int
    let outFeatures: Int
    /// out × in, row-major.
    let weight: [Float]
    let bias: [Float]?

    init(weight: [Float], bias: [Float]?, inFeatures: Int, outFeatures: Int) {
        precondition(weight.count == inFeatures * outFeatures && (bias?.count ?? outFeatures) == outFeatures,
                     "Linear: shapes are checked by the loader")
        self.weight = weight
        self.bias = bias
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
    }

    /// Stacks layers that read the same input into one (their outputs side by side), so
    /// q, k and v, or gate and up, cost one sgemm instead of several smaller ones.
    static func stacked(_ parts: [Linear]) -> Linear {
        let hasBias = parts.contains { $0.bias != nil }
        return Linear(weight: parts.flatMap(\.weight),
                      bias: hasBias ? parts.flatMap { $0.bias ?? [Float](repeating: 0, count: $0.outFeatures) } : nil,
                      inFeatures: parts[0].inFeatures, outFeatures: parts.map(\.outFeatures).reduce(0, +))
    }

    /// `y[rows × out] (=|+=) x[rows × in] Wᵀ + b`. Leading dimensions are the row strides
    /// of x and y, so a block of columns of a wider buffer can be read or written.
    func apply(_ x: UnsafePointer<Float>, ldx: Int, rows: Int,
               into y: UnsafeMutablePointer<Float>, ldy: Int, accumulate: Bool) {
        guard rows > 0 else { return }
        var beta: Float = accumulate ? 1 : 0
        if let bias {
            // The bias goes into y first and sgemm adds onto it (beta = 1): one pass
            // over y instead of a second one after the product.
            bias.withUnsafeBufferPointer { b in
                for r in 0..<rows {
                    let row = y + r * ldy
                    if accumulate {
                        for j in 0..<outFeatures { row[j] += b[j] }
                    } else {
                        row.update(from: b.baseAddress!, count: outFeatures)
                    }
                }
            }
            beta = 1
        }
        weight.withUnsafeBufferPointer { w in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                        Int32(rows), Int32(outFeatures), Int32(inFeatures),
                        1, x, Int32(ldx), w.baseAddress, Int32(inFeatures),
                        beta, y, Int32(ldy))
        }
    }
}
