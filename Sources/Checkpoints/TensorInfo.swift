/// The element types a safetensors header may name.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"
    case f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f64, .i64: 8
        case .f32, .i32: 4
        case .f16, .bf16, .i16: 2
        case .i8, .u8, .bool, .f8e4m3, .f8e5m2: 1
        }
    }

    /// Whether `SafetensorsFile` converts this type to Float32; FP8 and integer tensors
    /// are validated and listed but not read, since no weight Spectra analyses uses them.
    public var isReadableAsFloat: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16: true
        default: false
        }
    }

    /// Whether `SafetensorsWriter` can produce this type from Float32 values.
    public var isWritable: Bool { self == .f32 || self == .f16 || self == .bf16 }
}

/// One tensor's header entry, validated against the file it came from.
public struct TensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    /// For safetensors, `data_offsets` as in the header: relative to the start of the data
    /// area. For a PyTorch tensor, its whole storage's bytes in the file (shared by views).
    public let byteRange: Range<Int>

    public init(name: String, dtype: SafetensorsDType, shape: [Int], byteRange: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.byteRange = byteRange
    }

    /// The number of elements, the product of `shape` (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }

    /// `[2, 3]` as "2 × 3", for messages.
    var shapeDescription: String {
        shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: " × ")
    }
}
