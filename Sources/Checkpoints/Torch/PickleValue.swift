/// What `PickleMachine` builds: plain data, plus typed stand-ins for the few callables a
/// PyTorch state dict needs. No value here can run anything; a global outside the allow
/// list never becomes a value at all.
///
/// Containers are values, not shared objects: a dict mutated after it was memoized is not
/// seen through the memo. `torch.save` never reads a container back after filling it.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case string(String)
    case tuple([PickleValue])
    case list([PickleValue])
    /// Keys and values in insertion order (an OrderedDict or a plain dict).
    case dict([(key: PickleValue, value: PickleValue)])
    /// An allow-listed global, not yet called.
    case global(TorchGlobal)
    /// A storage named by a persistent id: `('storage', StorageType, key, location, numel)`.
    case storage(TorchStorage)
    /// A tensor rebuilt by `_rebuild_tensor_v2` (or wrapped by `_rebuild_parameter`).
    case tensor(TorchTensorLayout)

    /// A short description for messages, never the whole value.
    var brief: String {
        switch self {
        case .none: "None"
        case .bool(let b): b ? "True" : "False"
        case .int(let i): "the integer \(i)"
        case .string(let s): "the string \"\(s.prefix(40))\""
        case .tuple(let t): "a tuple of \(t.count)"
        case .list(let l): "a list of \(l.count)"
        case .dict(let d): "a dict of \(d.count)"
        case .global(let g): g.qualifiedName
        case .storage(let s): "storage \(s.key)"
        case .tensor: "a tensor"
        }
    }
}

/// The only globals a state-dict pickle may name, each a description, never a function.
enum TorchGlobal: Equatable {
    case orderedDict
    case rebuildTensor
    case rebuildParameter
    case storageType(SafetensorsDType, name: String)

    /// Resolves `module.name`, or `nil` for anything outside the allow list.
    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensor
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch", _):
            guard let dtype = Self.storageTypes[name] else { return nil }
            self = .storageType(dtype, name: name)
        default: return nil
        }
    }

    /// `torch.save`'s storage classes; the integer and bool ones (attention masks and
    /// position buffers) are listed so a checkpoint holding them still opens.
    static let storageTypes: [String: SafetensorsDType] = [
        "DoubleStorage": .f64, "FloatStorage": .f32, "HalfStorage": .f16, "BFloat16Storage": .bf16,
        "LongStorage": .i64, "IntStorage": .i32, "ShortStorage": .i16, "CharStorage": .i8,
        "ByteStorage": .u8, "BoolStorage": .bool,
    ]

    /// The allow list, for the message that refuses anything else.
    static let allowed = "collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, "
        + "and torch.{" + storageTypes.keys.sorted().joined(separator: ",") + "}"

    var qualifiedName: String {
        switch self {
        case .orderedDict: "collections.OrderedDict"
        case .rebuildTensor: "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: "torch._utils._rebuild_parameter"
        case .storageType(_, let name): "torch.\(name)"
        }
    }
}

/// One storage of the archive, as a persistent id names it.
struct TorchStorage: Equatable {
    let dtype: SafetensorsDType
    /// The entry `data/<key>` holding its bytes.
    let key: String
    /// Elements (not bytes).
    let elementCount: Int
}

/// A tensor as a strided view of a storage, before any of it is checked against the archive.
struct TorchTensorLayout: Equatable {
    let storage: TorchStorage
    /// In elements from the start of the storage.
    let offset: Int
    let shape: [Int]
    /// In elements.
    let strides: [Int]
}
