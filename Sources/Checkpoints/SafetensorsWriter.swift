import Foundation
import SpectraBase

/// Writes safetensors files from Float32 values, stored as F32, F16 or BF16; used by tests
/// and tools to make fixtures, so its output follows the format exactly (8-aligned header,
/// tensors laid out back to back in the order given).
public enum SafetensorsWriter {
    /// One tensor to write: its values are row-major and converted to `dtype` on write.
    public typealias Tensor = (name: String, shape: [Int], dtype: SafetensorsDType, values: [Float])

    /// Writes `tensors` and `metadata` to `url`, replacing any file there.
    public static func write(tensors: [Tensor], metadata: [String: String] = [:],
                             to url: URL) throws(CheckpointError) {
        let data = try encode(tensors: tensors, metadata: metadata, name: url.path)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw CheckpointError(.ioFailure, "cannot write safetensors file \(url.path): \(FileAccess.reason(error))")
        }
    }

    /// The bytes of a safetensors file holding `tensors`; `name` is used in error messages.
    public static func encode(tensors: [Tensor], metadata: [String: String] = [:],
                              name: String = "safetensors output") throws(CheckpointError) -> Data {
        var seen = Set<String>()
        var entries: [String] = []
        var offset = 0
        for tensor in tensors {
            let label = "\(name): tensor \(tensor.name)"
            guard tensor.name != "__metadata__", seen.insert(tensor.name).inserted else {
                throw CheckpointError(.invalidTensor, "\(label): name is reserved or given twice")
            }
            guard tensor.dtype.isWritable else {
                throw CheckpointError(.invalidTensor,
                    "\(label): cannot write \(tensor.dtype.rawValue); only F32, F16 and BF16")
            }
            guard tensor.shape.allSatisfy({ $0 >= 0 }),
                  tensor.shape.reduce(1, *) == tensor.values.count else {
                throw CheckpointError(.invalidTensor,
                    "\(label): shape \(tensor.shape) does not hold \(tensor.values.count) values")
            }
            let size = tensor.values.count * tensor.dtype.byteSize
            entries.append("\(jsonString(tensor.name)):{\"dtype\":\"\(tensor.dtype.rawValue)\","
                + "\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],"
                + "\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            entries.insert("\"__metadata__\":{\(pairs.joined(separator: ","))}", at: 0)
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        // The data area starts 8-aligned so that readers may load elements in place.
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }

        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for tensor in tensors {
            data.append(contentsOf: FloatConversion.encode(tensor.values, as: tensor.dtype))
        }
        return data
    }

    /// A JSON string literal for `text`, escaping what RFC 8259 requires.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
