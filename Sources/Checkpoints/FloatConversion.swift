/// Conversions between the floating-point storage types of safetensors and Float32.
enum FloatConversion {
    /// Decodes `count` little-endian elements at `source` (any alignment) into Float32,
    /// writing straight into the output array so the mapping is read exactly once.
    static func decode(_ source: UnsafeRawPointer, count: Int, dtype: SafetensorsDType) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            switch dtype {
            case .f32:
                #if _endian(little)
                UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: source, byteCount: count * 4)
                #else
                for i in 0..<count {
                    out[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
                #endif
            case .f16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Float(Float16(bitPattern: bits))
                }
            case .bf16:
                // bfloat16 is the top half of a Float32, so widening is exact.
                for i in 0..<count {
                    let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Float(bitPattern: UInt32(bits) << 16)
                }
            case .f64:
                for i in 0..<count {
                    let bits = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                    out[i] = Float(Double(bitPattern: bits))
                }
            default:
                // Callers check `isReadableAsFloat` first; zeros rather than a trap if not.
                for i in 0..<count { out[i] = 0 }
            }
            initialized = count
        }
    }

    /// Float32 → bfloat16 bits, rounding to nearest even as PyTorch does; NaN stays NaN.
    static func bfloat16Bits(_ value: Float) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        let bits = value.bitPattern
        let roundingBias = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }

    /// Float32 values as little-endian bytes of `dtype` (F32, F16 or BF16).
    static func encode(_ values: [Float], as dtype: SafetensorsDType) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * dtype.byteSize)
        func append16(_ v: UInt16) {
            bytes.append(UInt8(truncatingIfNeeded: v))
            bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        }
        switch dtype {
        case .f16:
            for v in values { append16(Float16(v).bitPattern) }
        case .bf16:
            for v in values { append16(bfloat16Bits(v)) }
        default:
            for v in values {
                let b = v.bitPattern
                bytes.append(contentsOf: [UInt8(truncatingIfNeeded: b), UInt8(truncatingIfNeeded: b >> 8),
                                          UInt8(truncatingIfNeeded: b >> 16), UInt8(truncatingIfNeeded: b >> 24)])
            }
        }
        return bytes
    }
}
