extension FloatConversion {
    /// Reads a strided view (a transposed or sliced PyTorch tensor) into a row-major
    /// Float32 array. Callers have checked that every index `offset + Σ iₖ·strideₖ` lies
    /// inside the storage at `base`, whose elements are little-endian `dtype`.
    static func gather(_ base: UnsafeRawPointer, dtype: SafetensorsDType, offset: Int,
                       shape: [Int], strides: [Int]) -> [Float] {
        let count = shape.reduce(1, *)
        guard count > 0, let innerSize = shape.last, let innerStride = strides.last else {
            return count > 0 ? decode(base + offset * dtype.byteSize, count: 1, dtype: dtype) : []
        }
        let outer = count / innerSize
        let width = dtype.byteSize
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            var index = [Int](repeating: 0, count: shape.count - 1)
            var start = offset
            for row in 0 ..< outer {
                for j in 0 ..< innerSize {
                    out[row * innerSize + j] = element(base + (start + j * innerStride) * width, dtype: dtype)
                }
                // Advance the odometer over every dimension but the last.
                var axis = shape.count - 2
                while axis >= 0 {
                    index[axis] += 1
                    // Wrapping: past the last row the sum may leave the storage (a size-1
                    // dimension's stride is unchecked), and it is never used there.
                    start &+= strides[axis]
                    if index[axis] < shape[axis] { break }
                    start &-= strides[axis] &* shape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
            initialized = count
        }
    }

    /// One little-endian element of `dtype` as Float32.
    private static func element(_ source: UnsafeRawPointer, dtype: SafetensorsDType) -> Float {
        switch dtype {
        case .f32: Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(as: UInt32.self)))
        case .f16: Float(Float16(bitPattern: UInt16(littleEndian: source.loadUnaligned(as: UInt16.self))))
        case .bf16: Float(bitPattern: UInt32(UInt16(littleEndian: source.loadUnaligned(as: UInt16.self))) << 16)
        case .f64: Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(as: UInt64.self))))
        default: 0
        }
    }
}
