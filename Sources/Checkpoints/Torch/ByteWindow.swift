/// A read-only view of bytes whose every load is bounds-checked and answers `nil` past the
/// end, so a parser built on it cannot read outside the buffer whatever the bytes say.
struct ByteWindow {
    let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var count: Int { bytes.count }

    /// Whether `count` bytes starting at `offset` lie inside the window (overflow-safe).
    func contains(_ offset: Int, count: Int) -> Bool {
        guard offset >= 0, count >= 0, offset <= bytes.count else { return false }
        return count <= bytes.count - offset
    }

    func u8(_ offset: Int) -> UInt8? {
        contains(offset, count: 1) ? bytes[offset] : nil
    }

    /// A little-endian unsigned integer of `width` bytes (at most 8).
    func unsigned(_ offset: Int, width: Int) -> UInt64? {
        guard width <= 8, contains(offset, count: width) else { return nil }
        var value: UInt64 = 0
        for i in stride(from: width - 1, through: 0, by: -1) {
            value = value << 8 | UInt64(bytes[offset + i])
        }
        return value
    }

    func u16(_ offset: Int) -> Int? { unsigned(offset, width: 2).map { Int($0) } }
    func u32(_ offset: Int) -> Int? { unsigned(offset, width: 4).map { Int($0) } }

    /// A little-endian UInt64 that fits an `Int`; larger values answer `nil`.
    func u64(_ offset: Int) -> Int? {
        guard let value = unsigned(offset, width: 8), value <= UInt64(Int.max) else { return nil }
        return Int(value)
    }

    /// The bytes `offset ..< offset + count`, or `nil` when they leave the window.
    func slice(_ offset: Int, count: Int) -> UnsafeRawBufferPointer? {
        guard contains(offset, count: count) else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + count])
    }

    /// The bytes as UTF-8 text, or `nil` when they leave the window or are not UTF-8.
    func utf8(_ offset: Int, count: Int) -> String? {
        guard let raw = slice(offset, count: count) else { return nil }
        return String(validating: raw, as: UTF8.self)
    }
}
