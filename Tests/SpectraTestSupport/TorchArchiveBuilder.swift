import Foundation

/// Opcode-level pickle writer for hand-made hostile state dicts; each method appends one
/// opcode with its operand exactly as the pickle format lays it out.
public struct PickleBytes {
    public init() {}

    public var bytes: [UInt8] = [0x80, 2]

    public mutating func op(_ code: UInt8, _ operand: [UInt8] = []) { bytes.append(code); bytes.append(contentsOf: operand) }
    public mutating func global(_ module: String, _ name: String) { op(0x63, Array("\(module)\n\(name)\n".utf8)) }
    public mutating func string(_ s: String) { op(0x58, le(UInt32(s.utf8.count)) + Array(s.utf8)) }
    public mutating func int(_ n: Int) { op(0x4A, le(UInt32(truncatingIfNeeded: n))) }
    public mutating func mark() { op(0x28) }
    public mutating func tuple() { op(0x74) }
    public mutating func reduce() { op(0x52) }
    public mutating func ints(_ values: [Int]) { mark(); values.forEach { int($0) }; tuple() }

    /// `_rebuild_tensor_v2(('storage', <type>, key, 'cpu', numel), offset, shape, strides, False, OrderedDict())`
    public mutating func tensor(storageType: String = "FloatStorage", key: String, numel: Int,
                         offset: Int = 0, shape: [Int], strides: [Int]) {
        global("torch._utils", "_rebuild_tensor_v2")
        mark()
        mark(); string("storage"); global("torch", storageType); string(key); string("cpu"); int(numel); tuple()
        op(0x51)
        int(offset); ints(shape); ints(strides); op(0x89)
        global("collections", "OrderedDict"); op(0x29); reduce()
        tuple(); reduce()
    }

    /// A whole state dict `{name: tensor}` ending in STOP.
    public static func stateDict(_ entries: [(String, (inout PickleBytes) -> Void)]) -> [UInt8] {
        var p = PickleBytes()
        p.global("collections", "OrderedDict"); p.op(0x29); p.reduce()
        p.mark()
        for (name, body) in entries { p.string(name); body(&p) }
        p.op(0x75); p.op(0x2E)
        return p.bytes
    }
}

public func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

/// A ZIP archive of stored entries (no compression, CRCs left zero: the reader ignores
/// them); `method` marks entries as compressed without compressing them. With `zip64`,
/// every size and offset goes in ZIP64 fields (as torch.save writes archives over 4 GiB).
public func zipArchive(_ entries: [(name: String, data: [UInt8])], method: [String: UInt16] = [:],
                       zip64: Bool = false) -> Data {
    var out: [UInt8] = [], central: [UInt8] = []
    let wide = UInt32(0xFFFF_FFFF)
    for (name, data) in entries {
        let offset = out.count, nameBytes = Array(name.utf8), m = method[name] ?? 0
        out += le(UInt32(0x0403_4b50)) + le(UInt16(20)) + le(UInt16(0)) + le(m) + [UInt8](repeating: 0, count: 8)
            + le(UInt32(data.count)) + le(UInt32(data.count)) + le(UInt16(nameBytes.count)) + le(UInt16(0)) + nameBytes + data
        let extra = zip64 ? le(UInt16(1)) + le(UInt16(24)) + le(UInt64(data.count)) + le(UInt64(data.count)) + le(UInt64(offset)) : []
        central += le(UInt32(0x0201_4b50)) + le(UInt16(45)) + le(UInt16(45)) + le(UInt16(0)) + le(m)
            + [UInt8](repeating: 0, count: 8) + le(zip64 ? wide : UInt32(data.count)) + le(zip64 ? wide : UInt32(data.count))
            + le(UInt16(nameBytes.count)) + le(UInt16(extra.count)) + [UInt8](repeating: 0, count: 10)
            + le(zip64 ? wide : UInt32(offset)) + nameBytes + extra
    }
    let centralOffset = out.count
    out += central
    if zip64 {
        let record = out.count
        out += le(UInt32(0x0606_4b50)) + le(UInt64(44)) + le(UInt16(45)) + le(UInt16(45)) + le(UInt32(0)) + le(UInt32(0))
            + le(UInt64(entries.count)) + le(UInt64(entries.count)) + le(UInt64(central.count)) + le(UInt64(centralOffset))
        out += le(UInt32(0x0706_4b50)) + le(UInt32(0)) + le(UInt64(record)) + le(UInt32(1))
    }
    out += le(UInt32(0x0605_4b50)) + [0, 0, 0, 0] + le(UInt16(zip64 ? 0xFFFF : entries.count))
        + le(UInt16(zip64 ? 0xFFFF : entries.count)) + le(zip64 ? wide : UInt32(central.count))
        + le(zip64 ? wide : UInt32(centralOffset)) + le(UInt16(0))
    return Data(out)
}

/// `archive/data.pkl` with `pickle` and `archive/data/<key>` for each storage.
public func torchArchive(pickle: [UInt8], storages: [(String, [UInt8])] = [], byteorder: String = "little",
                         method: [String: UInt16] = [:], zip64: Bool = false) -> Data {
    zipArchive([("archive/data.pkl", pickle), ("archive/byteorder", Array(byteorder.utf8))]
               + storages.map { ("archive/data/\($0.0)", $0.1) }, method: method, zip64: zip64)
}

/// A PyTorch checkpoint of Float32 tensors as `torch.save` lays it out, with every 2-D
/// tensor stored transposed (column-major storage, strides (1, rows)) so that a reader
/// must gather strided views to get the values back.
public func transposedTorchCheckpoint(_ tensors: [(name: String, shape: [Int], values: [Float])]) -> Data {
    var storages: [(String, [UInt8])] = []
    let pickle = PickleBytes.stateDict(tensors.enumerated().map { index, tensor in
        var stored = tensor.values, strides = [Int]()
        var step = 1
        for size in tensor.shape.reversed() { strides.insert(step, at: 0); step *= size }
        if tensor.shape.count == 2 {
            let (rows, columns) = (tensor.shape[0], tensor.shape[1])
            stored = (0 ..< rows * columns).map { k in tensor.values[(k % rows) * columns + k / rows] }
            strides = [1, rows]
        }
        storages.append(("\(index)", stored.flatMap { le($0.bitPattern) }))
        return (tensor.name, { (p: inout PickleBytes) in
            p.tensor(key: "\(index)", numel: stored.count, shape: tensor.shape, strides: strides)
        })
    })
    return torchArchive(pickle: pickle, storages: storages)
}
