/// A pickle interpreter that knows only the opcodes `torch.save` emits for a state dict
/// (protocol 2, plus the few protocol-4 framing opcodes) and calls nothing: a GLOBAL outside
/// `TorchGlobal`'s allow list stops the run with an error naming it, and REDUCE only builds
/// the typed values of the allowed globals.
///
/// Bounded on any input: the pickle's size is capped by the caller, every opcode pushes at
/// most one item, the stack, marks and memo have fixed limits, lengths are checked against
/// the bytes left before anything is read, and containers may nest at most `maximumDepth`
/// deep (so no recursion runs away on teardown).
struct PickleMachine {
    static let maximumDepth = 32
    static let maximumRank = 32
    /// Container entries moved per SETITEMS/APPENDS, summed over the run. A dict re-memoized
    /// between batches is copied on each append, so a hostile pickle could otherwise spend
    /// quadratic time; a state dict of N tensors costs about N²/2000 (its 1000-item batches).
    static let maximumWork = 1 << 28
    /// A state dict's pickle never holds more than about 2,000 values at once (batches of
    /// 1,000 pairs) nor more than a few open marks; these bounds keep a hostile pickle's
    /// stack, marks and memo in proportion to a real one rather than to its length.
    static let maximumStack = 1 << 16
    static let maximumMarks = 256
    static let maximumMemo = 1 << 21

    /// A stack or memo entry: the value and how deeply containers nest inside it.
    private struct Item {
        var value: PickleValue
        var depth: Int
    }

    private let window: ByteWindow
    private let context: String
    private var position = 0
    private var stack: [Item] = []
    private var marks: [Int] = []
    private var memo: [Int: Item] = [:]
    private var work = 0
    /// Where the opcode being run begins, for messages.
    private var opcodeStart = 0

    private init(_ bytes: UnsafeRawBufferPointer, context: String) {
        window = ByteWindow(bytes)
        self.context = context
    }

    /// Runs the pickle in `bytes` to its STOP and returns the value it leaves.
    static func run(_ bytes: UnsafeRawBufferPointer, context: String) throws(CheckpointError) -> PickleValue {
        var machine = PickleMachine(bytes, context: context)
        return try machine.run()
    }

    private func fail(_ at: Int, _ why: String, code: CheckpointError.Code = .malformedPickle) -> CheckpointError {
        CheckpointError(code, "\(context): pickle byte \(at): \(why)")
    }

    private mutating func run() throws(CheckpointError) -> PickleValue {
        while true {
            let at = position
            opcodeStart = at
            guard let opcode = window.u8(position) else { throw fail(at, "ends without a STOP opcode") }
            position += 1
            switch opcode {
            case 0x80: // PROTO
                let version = try unsigned(1, at)
                guard (2...5).contains(version) else { throw fail(at, "pickle protocol \(version) is not 2 to 5") }
            case 0x95: _ = try bytes(8, at) // FRAME: a length hint only
            case 0x2E: // STOP
                guard marks.isEmpty, stack.count == 1 else {
                    throw fail(at, "STOP with \(stack.count) values and \(marks.count) marks left, not one value")
                }
                return stack[0].value
            case 0x28: // MARK
                guard marks.count < Self.maximumMarks else { throw fail(at, "more than \(Self.maximumMarks) open MARKs") }
                marks.append(stack.count)
            case 0x7D: try push(.dict([]), depth: 1) // EMPTY_DICT
            case 0x5D: try push(.list([]), depth: 1) // EMPTY_LIST
            case 0x29: try push(.tuple([]), depth: 1) // EMPTY_TUPLE
            case 0x4E: try push(.none) // NONE
            case 0x88: try push(.bool(true)) // NEWTRUE
            case 0x89: try push(.bool(false)) // NEWFALSE
            case 0x4B: try push(.int(try unsigned(1, at))) // BININT1
            case 0x4D: try push(.int(try unsigned(2, at))) // BININT2
            case 0x4A: try push(.int(Int(Int32(truncatingIfNeeded: try unsigned(4, at))))) // BININT
            case 0x8A: try push(.int(try long1(at))) // LONG1
            case 0x58: try push(.string(try text(try unsigned(4, at), at))) // BINUNICODE
            case 0x8C: try push(.string(try text(try unsigned(1, at), at))) // SHORT_BINUNICODE
            case 0x71: try put(try unsigned(1, at), at) // BINPUT
            case 0x72: try put(try unsigned(4, at), at) // LONG_BINPUT
            case 0x94: try put(memo.count, at) // MEMOIZE
            case 0x68: try get(try unsigned(1, at), at) // BINGET
            case 0x6A: try get(try unsigned(4, at), at) // LONG_BINGET
            case 0x74: try tuple(try popMark(at), at) // TUPLE
            case 0x85: try tuple(try pop(1, at), at) // TUPLE1
            case 0x86: try tuple(try pop(2, at), at) // TUPLE2
            case 0x87: try tuple(try pop(3, at), at) // TUPLE3
            case 0x63: // GLOBAL: "module\nname\n"
                let module = try line(at), name = try line(at)
                try global(module: module, name: name, at)
            case 0x93: // STACK_GLOBAL
                let pair = try pop(2, at)
                guard case .string(let module) = pair[0].value, case .string(let name) = pair[1].value else {
                    throw fail(at, "STACK_GLOBAL needs two strings, got \(pair[0].value.brief) and \(pair[1].value.brief)")
                }
                try global(module: module, name: name, at)
            case 0x52: // REDUCE
                let pair = try pop(2, at)
                try push(try TorchCall.reduce(pair[0].value, pair[1].value, fail: { fail(at, $0) }))
            case 0x51: // BINPERSID
                let id = try pop(1, at)[0].value
                try push(.storage(try TorchCall.persistentID(id, fail: { fail(at, $0) })))
            case 0x73: try setItems(try pop(2, at), at) // SETITEM
            case 0x75: try setItems(try popMark(at), at) // SETITEMS
            case 0x61: try append(try pop(1, at), at) // APPEND
            case 0x65: try append(try popMark(at), at) // APPENDS
            case 0x62: // BUILD: state-dict metadata (`_metadata`) set on the OrderedDict; dropped
                let state = try pop(1, at)[0].value
                guard case .dict = stack.last?.value else {
                    throw fail(at, "BUILD applies \(state.brief) to \(stack.last?.value.brief ?? "nothing"), not to a dict")
                }
            default:
                throw fail(at, "opcode 0x\(String(opcode, radix: 16)) is not one a PyTorch state dict uses")
            }
        }
    }

    // MARK: Reading operands

    private mutating func bytes(_ count: Int, _ at: Int) throws(CheckpointError) -> UnsafeRawBufferPointer {
        guard let slice = window.slice(position, count: count) else {
            throw fail(at, "needs \(count) bytes of operand, \(window.count - position) are left")
        }
        position += count
        return slice
    }

    private mutating func unsigned(_ width: Int, _ at: Int) throws(CheckpointError) -> Int {
        let raw = try bytes(width, at)
        return Int(ByteWindow(raw).unsigned(0, width: width) ?? 0)
    }

    /// LONG1: a little-endian two's-complement integer of at most 8 bytes.
    private mutating func long1(_ at: Int) throws(CheckpointError) -> Int {
        let width = try unsigned(1, at)
        guard width <= 8 else { throw fail(at, "a \(width)-byte integer is wider than 64 bits") }
        guard width > 0 else { return 0 }
        let raw = try bytes(width, at)
        let value = ByteWindow(raw).unsigned(0, width: width) ?? 0
        let shift = UInt64(64 - 8 * width)
        return Int(Int64(bitPattern: value << shift) >> Int64(shift))
    }

    private mutating func text(_ length: Int, _ at: Int) throws(CheckpointError) -> String {
        let raw = try bytes(length, at)
        guard let string = String(validating: raw, as: UTF8.self) else { throw fail(at, "string is not UTF-8") }
        return string
    }

    /// A newline-terminated GLOBAL operand, at most 256 bytes.
    private mutating func line(_ at: Int) throws(CheckpointError) -> String {
        var end = position
        while let byte = window.u8(end), byte != 0x0A {
            guard end - position < 256 else { throw fail(at, "GLOBAL name longer than 256 bytes") }
            end += 1
        }
        guard window.u8(end) == 0x0A else { throw fail(at, "GLOBAL name has no terminating newline") }
        let name = try text(end - position, at)
        position += 1
        return name
    }

    // MARK: Stack and memo

    private mutating func push(_ value: PickleValue, depth: Int = 0) throws(CheckpointError) {
        guard stack.count < Self.maximumStack else {
            throw fail(opcodeStart, "holds more than \(Self.maximumStack) values at once")
        }
        stack.append(Item(value: value, depth: depth))
    }

    private mutating func pop(_ count: Int, _ at: Int) throws(CheckpointError) -> [Item] {
        guard stack.count - (marks.last ?? 0) >= count else {
            throw fail(at, "needs \(count) values above the last mark, the stack holds \(stack.count - (marks.last ?? 0))")
        }
        defer { stack.removeLast(count) }
        return Array(stack.suffix(count))
    }

    private mutating func popMark(_ at: Int) throws(CheckpointError) -> [Item] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw fail(at, "no MARK to collect values from") }
        defer { stack.removeLast(stack.count - mark) }
        return Array(stack[mark...])
    }

    private mutating func put(_ index: Int, _ at: Int) throws(CheckpointError) {
        guard let top = stack.last else { throw fail(at, "memoizes an empty stack") }
        guard memo.count < Self.maximumMemo || memo[index] != nil else {
            throw fail(at, "memoizes more than \(Self.maximumMemo) values")
        }
        memo[index] = top
    }

    private mutating func get(_ index: Int, _ at: Int) throws(CheckpointError) {
        guard let item = memo[index] else { throw fail(at, "memo entry \(index) was never stored") }
        try push(item.value, depth: item.depth)
    }

    private mutating func global(module: String, name: String, _ at: Int) throws(CheckpointError) {
        guard let known = TorchGlobal(module: module, name: name) else {
            throw fail(at, "refusing global \(module).\(name): a state dict may name only \(TorchGlobal.allowed); "
                       + "nothing was executed", code: .forbiddenGlobal)
        }
        try push(.global(known))
    }

    // MARK: Containers

    private func nested(_ items: [Item], _ at: Int) throws(CheckpointError) -> Int {
        let depth = 1 + (items.map(\.depth).max() ?? 0)
        guard depth <= Self.maximumDepth else { throw fail(at, "containers nest deeper than \(Self.maximumDepth)") }
        return depth
    }

    private mutating func charge(_ entries: Int, _ at: Int) throws(CheckpointError) {
        work += entries
        guard work <= Self.maximumWork else { throw fail(at, "builds more than \(Self.maximumWork) container entries") }
    }

    private mutating func tuple(_ items: [Item], _ at: Int) throws(CheckpointError) {
        try push(.tuple(items.map(\.value)), depth: try nested(items, at))
    }

    private mutating func setItems(_ items: [Item], _ at: Int) throws(CheckpointError) {
        guard items.count % 2 == 0 else { throw fail(at, "SETITEMS with an odd number (\(items.count)) of keys and values") }
        var target = try pop(1, at)[0]
        guard case .dict(var pairs) = target.value else { throw fail(at, "SETITEMS on \(target.value.brief), not a dict") }
        target.value = .none // drop the second reference so `pairs` is appended in place
        try charge(pairs.count + items.count, at)
        target.depth = max(target.depth, try nested(items, at))
        for i in stride(from: 0, to: items.count, by: 2) {
            pairs.append((key: items[i].value, value: items[i + 1].value))
        }
        stack.append(Item(value: .dict(pairs), depth: target.depth))
    }

    private mutating func append(_ items: [Item], _ at: Int) throws(CheckpointError) {
        var target = try pop(1, at)[0]
        guard case .list(var elements) = target.value else { throw fail(at, "APPENDS on \(target.value.brief), not a list") }
        target.value = .none
        try charge(elements.count + items.count, at)
        target.depth = max(target.depth, try nested(items, at))
        elements.append(contentsOf: items.map(\.value))
        stack.append(Item(value: .list(elements), depth: target.depth))
    }
}
