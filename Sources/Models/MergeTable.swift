/// The BPE merges as a hash table from a pair of token ids to (rank, merged id).
///
/// Encoding looks a pair up for every adjacent pair of symbols after every merge, so the
/// table is open-addressed with linear probing over two flat arrays: one multiply to hash,
/// usually one probe, no allocation and no generic hashing.
struct MergeTable: Sendable {
    private var keys: [UInt64]
    /// `rank << 32 | merged id`, parallel to `keys`.
    private var values: [UInt64]
    private let mask: Int
    private static let empty = UInt64.max

    /// A table with room for `count` merges at a load factor of at most one half.
    init(capacity count: Int) {
        var size = 16
        while size < count * 2 { size <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        // Fibonacci hashing: the high bits of key × 2⁶⁴/φ spread consecutive ids well.
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    }

    /// Records that `left right` merges into `merged` at `rank`; the first record of a
    /// pair wins, as in `tokenizers` where a repeated merge line changes nothing.
    mutating func insert(_ left: Int32, _ right: Int32, rank: Int32, merged: Int32) {
        let key = Self.key(left, right)
        var index = slot(key)
        while keys[index] != Self.empty {
            if keys[index] == key { return }
            index = (index + 1) & mask
        }
        keys[index] = key
        values[index] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: merged))
    }

    /// `rank << 32 | merged id` for the pair, or nil when the pair never merges.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> UInt64? {
        let key = Self.key(left, right)
        return keys.withUnsafeBufferPointer { keys in
            var index = slot(key)
            while true {
                let found = keys[index]
                if found == key { return values[index] }
                if found == Self.empty { return nil }
                index = (index + 1) & mask
            }
        }
    }
}
