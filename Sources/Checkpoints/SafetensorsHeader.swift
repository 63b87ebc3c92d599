import Foundation

/// The validated header of a safetensors file: everything `SafetensorsFile` checks before
/// it hands out a single byte, so later reads need no bounds checks of their own.
struct SafetensorsHeader {
    /// safetensors' own reader refuses headers above 100 MB; a larger length prefix is
    /// almost surely a file that is not safetensors, so say that instead of parsing it.
    static let maximumHeaderLength = 100_000_000

    let tensors: [String: TensorInfo]
    let metadata: [String: String]
    /// Byte offset of the data area from the start of the file.
    let dataStart: Int

    init(base: UnsafeRawPointer, fileSize: Int, context: String) throws(CheckpointError) {
        let headerLength = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        let available = fileSize - 8
        guard headerLength <= UInt64(available) else {
            throw CheckpointError(.headerOutOfBounds,
                "\(context): header length \(headerLength) exceeds the \(available) bytes after the "
                + "8-byte prefix (file size \(fileSize)); the file is truncated or not safetensors")
        }
        guard headerLength <= UInt64(Self.maximumHeaderLength) else {
            throw CheckpointError(.headerOutOfBounds,
                "\(context): header length \(headerLength) is above safetensors' 100 MB limit")
        }
        let length = Int(headerLength)
        dataStart = 8 + length
        let dataSize = fileSize - dataStart

        let json: JSONValue
        do {
            json = try JSONValue.parse(Data(bytes: base + 8, count: length))
        } catch {
            throw CheckpointError(.malformedHeader,
                "\(context): header (\(length) bytes) is not valid JSON: \(error.reason)")
        }
        guard let object = json.objectValue else {
            throw CheckpointError(.malformedHeader,
                "\(context): header is \(json.brief), not a JSON object of tensors")
        }

        var metadata: [String: String] = [:]
        if let raw = object["__metadata__"] {
            guard let map = raw.objectValue else {
                throw CheckpointError(.malformedHeader,
                    "\(context): __metadata__ is \(raw.brief), not an object of strings")
            }
            for (key, value) in map {
                guard let string = value.stringValue else {
                    throw CheckpointError(.malformedHeader,
                        "\(context): __metadata__ entry \"\(key)\" is \(value.brief), not a string")
                }
                metadata[key] = string
            }
        }
        self.metadata = metadata

        var tensors: [String: TensorInfo] = [:]
        // Sorted so that the same bad file always reports the same first problem.
        for name in object.keys.sorted() where name != "__metadata__" {
            tensors[name] = try Self.entry(name, object[name]!, dataSize: dataSize, context: context)
        }
        try Self.checkOverlaps(tensors.values, context: context)
        self.tensors = tensors
    }

    private static func entry(_ name: String, _ value: JSONValue, dataSize: Int,
                              context: String) throws(CheckpointError) -> TensorInfo {
        let where_ = "\(context): tensor \(name)"
        guard let fields = value.objectValue else {
            throw CheckpointError(.malformedHeader, "\(where_): entry is \(value.brief), not an object")
        }
        guard let dtypeName = fields["dtype"]?.stringValue else {
            throw CheckpointError(.malformedHeader, "\(where_): entry has no string \"dtype\"")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            let known = SafetensorsDType.allCases.map(\.rawValue).joined(separator: " ")
            throw CheckpointError(.unknownDType,
                "\(where_) has unknown dtype \"\(dtypeName)\" (known: \(known))")
        }
        guard let shapeValues = fields["shape"]?.arrayValue else {
            throw CheckpointError(.malformedHeader, "\(where_): entry has no \"shape\" array")
        }
        var shape: [Int] = []
        for dimension in shapeValues {
            guard let d = dimension.intValue, d >= 0 else {
                throw CheckpointError(.malformedHeader,
                    "\(where_): shape dimension \(dimension.brief) is not a non-negative integer")
            }
            shape.append(d)
        }
        guard let offsets = fields["data_offsets"]?.arrayValue, offsets.count == 2,
              let begin = offsets[0].intValue, let end = offsets[1].intValue, begin >= 0, end >= 0 else {
            throw CheckpointError(.malformedHeader,
                "\(where_): \"data_offsets\" must be [begin, end] of two non-negative integers")
        }
        let kind = "\(where_) is \(dtype.rawValue) but its byte range \(begin)..\(end)"
        guard begin <= end else {
            throw CheckpointError(.rangeOutOfBounds, "\(kind) begins after it ends")
        }
        guard end <= dataSize else {
            throw CheckpointError(.rangeOutOfBounds,
                "\(kind) ends past the data area (\(dataSize) bytes)")
        }
        var bytes = dtype.byteSize
        for d in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw CheckpointError(.sizeMismatch, "\(where_): shape \(shape) overflows a byte count")
            }
            bytes = product
        }
        let info = TensorInfo(name: name, dtype: dtype, shape: shape, byteRange: begin..<end)
        guard bytes == end - begin else {
            throw CheckpointError(.sizeMismatch,
                "\(kind) holds \(end - begin) bytes while shape \(info.shapeDescription) needs "
                + "\(info.elementCount) × \(dtype.byteSize) = \(bytes)")
        }
        return info
    }

    private static func checkOverlaps(_ tensors: some Collection<TensorInfo>,
                                      context: String) throws(CheckpointError) {
        // Empty tensors own no bytes, so they cannot overlap anything.
        let sorted = tensors.filter { !$0.byteRange.isEmpty }.sorted {
            ($0.byteRange.lowerBound, $0.name) < ($1.byteRange.lowerBound, $1.name)
        }
        for (previous, next) in zip(sorted, sorted.dropFirst())
        where next.byteRange.lowerBound < previous.byteRange.upperBound {
            throw CheckpointError(.overlappingRanges,
                "\(context): tensors \(previous.name) (bytes \(previous.byteRange.lowerBound)..\(previous.byteRange.upperBound)) "
                + "and \(next.name) (bytes \(next.byteRange.lowerBound)..\(next.byteRange.upperBound)) overlap")
        }
    }
}
