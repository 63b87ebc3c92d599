/// A byte-level BPE model: the id of each byte and the merges by rank.
///
/// Merging follows `tokenizers` exactly: repeatedly merge the adjacent pair of lowest
/// rank, the leftmost one on ties. Short words (nearly all) use a linear scan over a
/// small array of pair ranks; long ones (runs of spaces, emoji, minified text) a binary
/// heap over a linked list, as `tokenizers` does, so a long word costs n log n, not n².
struct BPEModel: Sendable {
    /// The token id of each byte value, -1 where the vocabulary lacks it.
    let byteTokens: [Int32]
    let merges: MergeTable
    /// The id emitted for a byte the vocabulary lacks; without one such bytes are dropped,
    /// as `tokenizers` does.
    let unknown: Int32?
    let fuseUnknown: Bool

    /// Words up to this many bytes merge by linear scan.
    static let linearLimit = 48

    /// Appends the ids of one pre-tokenized word to `out`.
    func encodeWord(_ word: UnsafeBufferPointer<UInt8>, into out: inout [Int32], scratch: inout BPEScratch) {
        scratch.symbols.removeAll(keepingCapacity: true)
        for byte in word {
            let id = byteTokens[Int(byte)]
            if id >= 0 {
                scratch.symbols.append(id)
            } else if let unknown {
                if fuseUnknown, scratch.symbols.last == unknown { continue }
                scratch.symbols.append(unknown)
            }
        }
        if scratch.symbols.count <= 1 {
            out.append(contentsOf: scratch.symbols)
        } else if scratch.symbols.count <= Self.linearLimit {
            mergeLinear(&scratch)
            out.append(contentsOf: scratch.symbols)
        } else {
            mergeWithHeap(&scratch, into: &out)
        }
    }

    private static let none = UInt64.max
    private static let rankMask: UInt64 = 0xFFFF_FFFF_0000_0000

    @inline(__always)
    private func pairValue(_ left: Int32, _ right: Int32) -> UInt64 {
        merges.lookup(left, right) ?? Self.none
    }

    func mergeLinear(_ scratch: inout BPEScratch) {
        var count = scratch.symbols.count
        scratch.symbols.withUnsafeMutableBufferPointer { symbols in
            // pairs[i] is rank << 32 | merged id of symbols[i], symbols[i + 1]: comparing the
            // packed values compares ranks, and ranks are unique per pair.
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: count) { pairs in
                for i in 0..<(count - 1) { pairs[i] = pairValue(symbols[i], symbols[i + 1]) }
                while count > 1 {
                    var best = Self.none
                    var at = -1
                    for i in 0..<(count - 1) where pairs[i] < best {
                        best = pairs[i]
                        at = i
                    }
                    if at < 0 { break }
                    symbols[at] = Int32(truncatingIfNeeded: best & 0xFFFF_FFFF)
                    for j in (at + 1)..<(count - 1) {
                        symbols[j] = symbols[j + 1]
                        pairs[j - 1] = pairs[j]
                    }
                    count -= 1
                    if at > 0 { pairs[at - 1] = pairValue(symbols[at - 1], symbols[at]) }
                    if at < count - 1 { pairs[at] = pairValue(symbols[at], symbols[at + 1]) }
                }
            }
        }
        scratch.symbols.removeLast(scratch.symbols.count - count)
    }

    func mergeWithHeap(_ scratch: inout BPEScratch, into out: inout [Int32]) {
        let n = scratch.symbols.count
        scratch.next.removeAll(keepingCapacity: true)
        scratch.previous.removeAll(keepingCapacity: true)
        for i in 0..<n {
            scratch.next.append(i + 1 < n ? Int32(i + 1) : -1)
            scratch.previous.append(Int32(i - 1))
        }
        var heap = MinHeap(storage: scratch.heap)
        // Entries are rank << 32 | position: the heap yields lowest rank, then leftmost.
        for i in 0..<(n - 1) {
            let value = pairValue(scratch.symbols[i], scratch.symbols[i + 1])
            if value != Self.none { heap.push(value & Self.rankMask | UInt64(i)) }
        }
        while let entry = heap.pop() {
            let position = Int(entry & 0xFFFF_FFFF)
            let left = scratch.symbols[position]
            let right = Int(scratch.next[position])
            // Skip entries made stale by an earlier merge: a dead symbol or a changed pair.
            guard left >= 0, right >= 0 else { continue }
            let value = pairValue(left, scratch.symbols[right])
            guard value != Self.none, value >> 32 == entry >> 32 else { continue }
            scratch.symbols[position] = Int32(truncatingIfNeeded: value & 0xFFFF_FFFF)
            scratch.symbols[right] = -1
            let after = scratch.next[right]
            scratch.next[position] = after
            if after >= 0 { scratch.previous[Int(after)] = Int32(position) }
            let before = Int(scratch.previous[position])
            if before >= 0 {
                let v = pairValue(scratch.symbols[before], scratch.symbols[position])
                if v != Self.none { heap.push(v & Self.rankMask | UInt64(before)) }
            }
            if after >= 0 {
                let v = pairValue(scratch.symbols[position], scratch.symbols[Int(after)])
                if v != Self.none { heap.push(v & Self.rankMask | UInt64(position)) }
            }
        }
        scratch.heap = heap.storage
        var i = 0
        while i >= 0 {
            out.append(scratch.symbols[i])
            i = Int(scratch.next[i])
        }
    }
}

/// Buffers reused from word to word so that merging allocates nothing in steady state.
struct BPEScratch: Sendable {
    var symbols: [Int32] = []
    var next: [Int32] = []
    var previous: [Int32] = []
    var heap: [UInt64] = []
}

/// A binary min-heap of packed UInt64 entries over a reusable array.
struct MinHeap {
    var storage: [UInt64]

    init(storage: [UInt64]) {
        self.storage = storage
        self.storage.removeAll(keepingCapacity: true)
    }

    mutating func push(_ value: UInt64) {
        storage.append(value)
        var child = storage.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if storage[parent] <= storage[child] { break }
            storage.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let last = storage.popLast() else { return nil }
        guard !storage.isEmpty else { return last }
        let top = storage[0]
        storage[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            if left >= storage.count { break }
            let right = left + 1
            let child = right < storage.count && storage[right] < storage[left] ? right : left
            if storage[parent] <= storage[child] { break }
            storage.swapAt(parent, child)
            parent = child
        }
        return top
    }
}
