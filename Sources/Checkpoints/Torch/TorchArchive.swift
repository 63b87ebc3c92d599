/// The tensors of a `torch.save` archive, found and validated from its bytes alone.
///
/// Format facts (PyTorch ≥ 1.6, `_use_new_zipfile_serialization`): the file is a ZIP
/// archive whose entries all sit under one folder, named after the file when it was
/// written (`archive/` in PyTorch's docs, `pytorch_model/` for a transformers checkpoint).
/// `<folder>/data.pkl` is a protocol-2 pickle of the state dict in which every tensor is
/// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)`
/// and each storage is a persistent id `('storage', torch.FloatStorage, key, location,
/// numel)`; the storage's raw little-endian bytes are the stored (uncompressed) entry
/// `<folder>/data/<key>`, aligned to 64 bytes. Tensors sharing a storage (tied weights,
/// transposed or sliced views) name the same key. `<folder>/byteorder` says "little"
/// (absent in archives older than PyTorch 1.10, which were little-endian too).
/// Before 1.6 `torch.save` wrote a bare pickle stream instead, which is refused.
///
/// Works on any buffer, so a fuzzer can drive it without files: it never reads outside
/// the buffer, never traps on its contents, and allocates in proportion to the pickle.
struct TorchArchive {
    /// A `data.pkl` holds about 200 bytes per tensor (30 KB for Pythia-160m's 148); a shard
    /// of 80,000 tensors would still fit. Anything past this is refused, not interpreted.
    static let maximumPickleSize = 16 << 20

    /// A tensor, checked against the archive: `info.byteRange` is its storage's bytes in
    /// the buffer, and `layout` the view of them it reads.
    struct Tensor {
        let info: TensorInfo
        let layout: TorchTensorLayout

        /// Whether the view reads its elements in row-major order, one after another.
        var isContiguous: Bool {
            guard info.elementCount > 0 else { return true }
            var expected = 1
            for (size, stride) in zip(layout.shape, layout.strides).reversed() where size != 1 {
                guard stride == expected else { return false }
                expected *= size
            }
            return true
        }

        /// The elements as Float32, row-major, with strided views gathered. `bytes` must be
        /// the buffer the archive was read from; the dtype must be readable as Float32.
        func floats(in bytes: UnsafeRawBufferPointer) -> [Float] {
            guard let base = bytes.baseAddress, info.dtype.isReadableAsFloat else { return [] }
            let storage = base + info.byteRange.lowerBound
            if isContiguous {
                return FloatConversion.decode(storage + layout.offset * info.dtype.byteSize,
                                              count: info.elementCount, dtype: info.dtype)
            }
            return FloatConversion.gather(storage, dtype: info.dtype, offset: layout.offset,
                                          shape: info.shape, strides: layout.strides)
        }
    }

    let tensors: [String: Tensor]

    init(_ bytes: UnsafeRawBufferPointer, context: String) throws(CheckpointError) {
        let window = ByteWindow(bytes)
        guard window.unsigned(0, width: 4) == 0x0403_4b50 else {
            if window.u8(0) == 0x80 {
                throw CheckpointError(.unsupportedFormat,
                    "\(context): this is the legacy (pre-1.6) torch.save format, a bare pickle stream, which Spectra "
                    + "does not read; re-save it with torch.save from PyTorch 1.6 or later, or convert it to safetensors")
            }
            throw CheckpointError(.malformedArchive,
                "\(context): does not begin with a ZIP local header, so it is not a torch.save archive")
        }
        let zip = try ZipDirectory(window, context: context)
        let pickles = zip.names.filter { $0.hasSuffix("/data.pkl") && $0.split(separator: "/").count == 2 }
        guard pickles.count == 1, let pickleName = pickles.first, let pickle = zip.entries[pickleName] else {
            throw CheckpointError(.malformedArchive,
                "\(context): expected one <folder>/data.pkl entry, found \(pickles.count) among \(zip.names.count) entries")
        }
        let folder = String(pickleName.dropLast("data.pkl".count))
        guard pickle.method == 0 else {
            throw CheckpointError(.unsupportedFormat, "\(context): \(pickleName) is compressed (method \(pickle.method)); torch.save stores it uncompressed")
        }
        guard pickle.data.count <= Self.maximumPickleSize else {
            throw CheckpointError(.malformedPickle,
                "\(context): \(pickleName) is \(pickle.data.count) bytes, above the \(Self.maximumPickleSize)-byte limit for a state dict")
        }
        if let order = zip.entries[folder + "byteorder"] {
            let text = window.utf8(order.data.lowerBound, count: order.data.count)
            guard order.method == 0, text == "little" else {
                throw CheckpointError(.unsupportedFormat,
                    "\(context): \(folder)byteorder is \(text.map { "\"\($0)\"" } ?? "unreadable"); only little-endian archives are read")
            }
        }
        let pickleBytes = UnsafeRawBufferPointer(rebasing: bytes[pickle.data])
        let root = try PickleMachine.run(pickleBytes, context: "\(context): \(pickleName)")
        guard case .dict(let pairs) = root else {
            throw CheckpointError(.malformedPickle, "\(context): \(pickleName) holds \(root.brief), not a state dict")
        }
        var tensors: [String: Tensor] = [:]
        var storages: [String: TorchStorage] = [:]
        for (key, value) in pairs {
            guard case .string(let name) = key else {
                throw CheckpointError(.malformedPickle, "\(context): state dict key \(key.brief) is not a string")
            }
            guard case .tensor(let layout) = value else {
                throw CheckpointError(.malformedPickle, "\(context): tensor \(name): the state dict holds \(value.brief), not a tensor")
            }
            guard tensors[name] == nil else {
                throw CheckpointError(.malformedPickle, "\(context): tensor \(name) appears twice in the state dict")
            }
            let storage = layout.storage
            if let seen = storages[storage.key], seen != storage {
                throw CheckpointError(.sizeMismatch,
                    "\(context): tensor \(name): storage \(storage.key) is \(storage.elementCount) × \(storage.dtype.rawValue) here "
                    + "but \(seen.elementCount) × \(seen.dtype.rawValue) for an earlier tensor")
            }
            storages[storage.key] = storage
            tensors[name] = try Self.check(name, layout, archive: zip, folder: folder, context: context)
        }
        self.tensors = tensors
    }

    /// The most elements a view may have beyond its storage's (stride-0 broadcasts): 2^24.
    static let broadcastLimit = 1 << 24

    /// Checks that the storage entry is stored, exactly as long as the storage, and that
    /// every element the view reads lies inside it; all products overflow-checked.
    private static func check(_ name: String, _ layout: TorchTensorLayout, archive: ZipDirectory,
                              folder: String, context: String) throws(CheckpointError) -> Tensor {
        let where_ = "\(context): tensor \(name)"
        let storage = layout.storage
        let entryName = "\(folder)data/\(storage.key)"
        guard let entry = archive.entries[entryName] else {
            throw CheckpointError(.malformedArchive, "\(where_): its storage entry \(entryName) is not in the archive")
        }
        guard entry.method == 0 else {
            throw CheckpointError(.unsupportedFormat,
                "\(where_): storage entry \(entryName) is compressed (method \(entry.method)) and cannot be mapped; "
                + "torch.save stores tensors uncompressed")
        }
        let (bytes, overflow) = storage.elementCount.multipliedReportingOverflow(by: storage.dtype.byteSize)
        guard !overflow, bytes == entry.data.count else {
            throw CheckpointError(.sizeMismatch,
                "\(where_): storage \(storage.key) claims \(storage.elementCount) × \(storage.dtype.rawValue) elements "
                + "but its entry \(entryName) holds \(entry.data.count) bytes")
        }
        let info = TensorInfo(name: name, dtype: storage.dtype, shape: layout.shape, byteRange: entry.data)
        var count = 1, last = layout.offset
        for (size, stride) in zip(layout.shape, layout.strides) {
            let (product, productOverflow) = count.multipliedReportingOverflow(by: size)
            let (step, stepOverflow) = (max(size, 1) - 1).multipliedReportingOverflow(by: stride)
            let (reach, reachOverflow) = last.addingReportingOverflow(step)
            guard !productOverflow, !stepOverflow, !reachOverflow else {
                throw CheckpointError(.sizeMismatch, "\(where_): shape \(layout.shape) with strides \(layout.strides) overflows")
            }
            (count, last) = (product, reach)
        }
        let fits = count == 0 ? layout.offset <= storage.elementCount : last < storage.elementCount
        guard fits else {
            throw CheckpointError(.rangeOutOfBounds,
                "\(where_) is \(storage.dtype.rawValue) of shape \(info.shapeDescription) with strides \(layout.strides) "
                + "at storage offset \(layout.offset), reaching element \(last) of storage \(storage.key), "
                + "which holds \(storage.elementCount)")
        }
        // A view reads into a Float32 array of `count` elements. Strides of 0 can make
        // that far larger than the storage (shape [2^62], stride [0] over one element), so
        // a view larger than its storage is allowed only up to a small broadcast buffer.
        guard count <= max(storage.elementCount, Self.broadcastLimit) else {
            throw CheckpointError(.sizeMismatch,
                "\(where_): shape \(layout.shape) with strides \(layout.strides) has \(count) elements, "
                + "more than the \(storage.elementCount) of its storage \(storage.key) "
                + "(broadcast views are read up to \(Self.broadcastLimit) elements)")
        }
        return Tensor(info: info, layout: layout)
    }
}
