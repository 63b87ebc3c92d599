/// A cache from a pre-tokenized word's bytes to its token ids.
///
/// English text repeats a few thousand words, so most words skip merging entirely. The
/// table is open-addressed over flat arenas (word bytes and ids stored back to back), so
/// a lookup hashes the bytes in place and allocates nothing. When it holds `capacity`
/// words it starts over empty: simpler than eviction, and the frequent words return at
/// once.
struct WordCache: Sendable {
    /// The longest word cached; longer ones are rare and would crowd the arena.
    static let maxWordLength = 32

    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private var wordStarts: [Int32] = []
    private var wordLengths: [Int32] = []
    private var idStarts: [Int32] = []
    private var idCounts: [Int32] = []
    private var wordBytes: [UInt8] = []
    private(set) var ids: [Int32] = []
    private let capacity: Int
    private let mask: Int

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    @inline(__always)
    static func hash(_ word: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a; words are short, so per-byte is fine
        for byte in word { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return h
    }

    /// The range in `ids` of the cached encoding of `word`, or nil.
    func lookup(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Range<Int>? {
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[index])
            if entry < 0 { return nil }
            if hashes[entry] == hash, Int(wordLengths[entry]) == word.count, equal(entry, word) {
                let start = Int(idStarts[entry])
                return start..<(start + Int(idCounts[entry]))
            }
            index = (index + 1) & mask
        }
    }

    private func equal(_ entry: Int, _ word: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(wordStarts[entry])
        return wordBytes.withUnsafeBufferPointer { stored in
            for i in 0..<word.count where stored[start + i] != word[i] { return false }
            return true
        }
    }

    /// Stores the encoding of `word` (which must not be cached already).
    mutating func insert(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64, ids newIDs: ArraySlice<Int32>) {
        if hashes.count >= capacity { removeAll() }
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index] >= 0 { index = (index + 1) & mask }
        slots[index] = Int32(hashes.count)
        hashes.append(hash)
        wordStarts.append(Int32(wordBytes.count))
        wordLengths.append(Int32(word.count))
        idStarts.append(Int32(ids.count))
        idCounts.append(Int32(newIDs.count))
        wordBytes.append(contentsOf: word)
        ids.append(contentsOf: newIDs)
    }

    private mutating func removeAll() {
        for i in slots.indices { slots[i] = -1 }
        hashes.removeAll(keepingCapacity: true)
        wordStarts.removeAll(keepingCapacity: true)
        wordLengths.removeAll(keepingCapacity: true)
        idStarts.removeAll(keepingCapacity: true)
        idCounts.removeAll(keepingCapacity: true)
        wordBytes.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
    }
}
