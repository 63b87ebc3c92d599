/// What REDUCE and BINPERSID mean for the allow-listed globals, as pure functions from
/// pickle values to typed values. Argument shapes follow `torch.save`:
/// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`,
/// `_rebuild_parameter(data, requires_grad, backward_hooks)`, `OrderedDict()`, and persistent
/// ids `('storage', StorageType, key, location, numel)`.
enum TorchCall {
    typealias Fail = (String) -> CheckpointError

    static func reduce(_ callable: PickleValue, _ arguments: PickleValue,
                       fail: Fail) throws(CheckpointError) -> PickleValue {
        guard case .global(let function) = callable else {
            throw fail("REDUCE calls \(callable.brief), which is not a callable")
        }
        guard case .tuple(let args) = arguments else {
            throw fail("REDUCE passes \(arguments.brief) to \(function.qualifiedName), not an argument tuple")
        }
        switch function {
        case .orderedDict:
            guard args.isEmpty else { throw fail("collections.OrderedDict called with \(args.count) arguments, not none") }
            return .dict([])
        case .rebuildTensor:
            return .tensor(try rebuildTensor(args, fail: fail))
        case .rebuildParameter:
            guard args.count == 3, case .tensor(let layout) = args[0] else {
                throw fail("torch._utils._rebuild_parameter needs (tensor, requires_grad, hooks), got \(args.count) arguments"
                           + (args.first.map { " starting with \($0.brief)" } ?? ""))
            }
            return .tensor(layout)
        case .storageType:
            throw fail("\(function.qualifiedName) is only a storage type, and is not called")
        }
    }

    private static func rebuildTensor(_ args: [PickleValue], fail: Fail) throws(CheckpointError) -> TorchTensorLayout {
        let name = "torch._utils._rebuild_tensor_v2"
        guard args.count == 6 || args.count == 7 else { throw fail("\(name) called with \(args.count) arguments, not 6 or 7") }
        guard case .storage(let storage) = args[0] else { throw fail("\(name): the storage is \(args[0].brief)") }
        guard case .int(let offset) = args[1], offset >= 0 else {
            throw fail("\(name): the storage offset is \(args[1].brief), not a non-negative integer")
        }
        let shape = try integers(args[2], "size", name, fail: fail)
        let strides = try integers(args[3], "stride", name, fail: fail)
        guard shape.count == strides.count else {
            throw fail("\(name): size has \(shape.count) dimensions but stride has \(strides.count)")
        }
        return TorchTensorLayout(storage: storage, offset: offset, shape: shape, strides: strides)
    }

    /// A tuple of non-negative integers with at most `PickleMachine.maximumRank` entries.
    private static func integers(_ value: PickleValue, _ what: String, _ function: String,
                                 fail: Fail) throws(CheckpointError) -> [Int] {
        guard case .tuple(let items) = value, items.count <= PickleMachine.maximumRank else {
            throw fail("\(function): the \(what) is \(value.brief), not a tuple of at most \(PickleMachine.maximumRank) integers")
        }
        var result: [Int] = []
        for item in items {
            guard case .int(let n) = item, n >= 0 else {
                throw fail("\(function): \(what) entry \(item.brief) is not a non-negative integer")
            }
            result.append(n)
        }
        return result
    }

    static func persistentID(_ id: PickleValue, fail: Fail) throws(CheckpointError) -> TorchStorage {
        guard case .tuple(let parts) = id, parts.count == 5, case .string("storage") = parts[0] else {
            throw fail("persistent id \(id.brief) is not ('storage', type, key, location, numel)")
        }
        guard case .global(.storageType(let dtype, _)) = parts[1] else {
            throw fail("persistent id names \(parts[1].brief) where a storage type belongs")
        }
        guard case .string(let key) = parts[2], !key.isEmpty, key.count <= 64 else {
            throw fail("persistent id key \(parts[2].brief) is not a short string")
        }
        guard case .int(let count) = parts[4], count >= 0 else {
            throw fail("storage \(key): element count \(parts[4].brief) is not a non-negative integer")
        }
        return TorchStorage(dtype: dtype, key: key, elementCount: count)
    }
}
