/// The central directory of a ZIP archive, read from a buffer without trusting any of it:
/// every offset and size is checked against the buffer before use, and each entry's data
/// range is resolved through its local header so callers get bytes, never offsets.
///
/// Only what `torch.save` writes is needed: entries stored or compressed (the method is
/// kept so a compressed tensor is refused by name), ZIP64 sizes and offsets for archives
/// over 4 GiB, no encryption, one disk.
struct ZipDirectory {
    struct Entry {
        let name: String
        /// 0 = stored; anything else is compressed and cannot be mapped.
        let method: Int
        /// Where the entry's bytes are, relative to the buffer.
        let data: Range<Int>
    }

    /// Entries by name.
    let entries: [String: Entry]
    /// Entry names in archive order, for messages and for finding `data.pkl`.
    let names: [String]

    private static let endSignature: UInt64 = 0x0605_4b50
    private static let zip64LocatorSignature: UInt64 = 0x0706_4b50
    private static let zip64EndSignature: UInt64 = 0x0606_4b50
    private static let centralSignature: UInt64 = 0x0201_4b50
    private static let localSignature: UInt64 = 0x0403_4b50
    private static let centralHeaderSize = 46
    private static let localHeaderSize = 30

    init(_ window: ByteWindow, context: String) throws(CheckpointError) {
        func bad(_ why: String) -> CheckpointError {
            CheckpointError(.malformedArchive, "\(context): not a readable ZIP archive: \(why)")
        }
        guard let end = Self.findEnd(window) else {
            throw bad("no end-of-central-directory record in the last 64 KiB")
        }
        guard var count = window.u16(end + 10), var size = window.u32(end + 12),
              var offset = window.u32(end + 16) else { throw bad("end record truncated") }
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            // ZIP64: the real values sit in a second end record that a locator points to.
            guard end >= 20, window.unsigned(end - 20, width: 4) == Self.zip64LocatorSignature,
                  let record = window.u64(end - 12),
                  window.unsigned(record, width: 4) == Self.zip64EndSignature,
                  let count64 = window.u64(record + 32), let size64 = window.u64(record + 40),
                  let offset64 = window.u64(record + 48) else {
                throw bad("ZIP64 end record missing or truncated")
            }
            (count, size, offset) = (count64, size64, offset64)
        }
        guard window.contains(offset, count: size) else {
            throw bad("central directory (\(size) bytes at offset \(offset)) lies past the end of the \(window.count)-byte file")
        }
        // Each entry needs 46 bytes, so the count is bounded before anything is reserved.
        guard count <= size / Self.centralHeaderSize else {
            throw bad("\(count) entries cannot fit a central directory of \(size) bytes")
        }
        var entries: [String: Entry] = [:]
        var names: [String] = []
        entries.reserveCapacity(min(count, 4096))
        var cursor = offset
        for index in 0 ..< count {
            guard window.unsigned(cursor, width: 4) == Self.centralSignature,
                  let flags = window.u16(cursor + 8), let method = window.u16(cursor + 10),
                  var compressed = window.u32(cursor + 20), var uncompressed = window.u32(cursor + 24),
                  let nameLength = window.u16(cursor + 28), let extraLength = window.u16(cursor + 30),
                  let commentLength = window.u16(cursor + 32), var local = window.u32(cursor + 42),
                  let name = window.utf8(cursor + Self.centralHeaderSize, count: nameLength) else {
                throw bad("central directory entry \(index) at offset \(cursor) is truncated or not UTF-8")
            }
            guard flags & 1 == 0 else { throw bad("entry \(name) is encrypted") }
            let extraStart = cursor + Self.centralHeaderSize + nameLength
            if uncompressed == 0xFFFF_FFFF || compressed == 0xFFFF_FFFF || local == 0xFFFF_FFFF {
                guard let wide = Self.zip64Extra(window, at: extraStart, length: extraLength) else {
                    throw bad("entry \(name) needs a ZIP64 extra field and has none")
                }
                var at = wide.lowerBound
                func next() -> Int? { defer { at += 8 }; return at + 8 <= wide.upperBound ? window.u64(at) : nil }
                if uncompressed == 0xFFFF_FFFF { guard let v = next() else { throw bad("entry \(name): short ZIP64 field") }; uncompressed = v }
                if compressed == 0xFFFF_FFFF { guard let v = next() else { throw bad("entry \(name): short ZIP64 field") }; compressed = v }
                if local == 0xFFFF_FFFF { guard let v = next() else { throw bad("entry \(name): short ZIP64 field") }; local = v }
            }
            guard window.unsigned(local, width: 4) == Self.localSignature,
                  let localName = window.u16(local + 26), let localExtra = window.u16(local + 28) else {
                throw bad("entry \(name): no local header at offset \(local)")
            }
            let start = local + Self.localHeaderSize + localName + localExtra
            guard window.contains(start, count: compressed) else {
                throw bad("entry \(name): \(compressed) bytes at offset \(start) run past the end of the \(window.count)-byte file")
            }
            guard method != 0 || compressed == uncompressed else {
                throw bad("entry \(name) is stored but its sizes differ (\(compressed) and \(uncompressed))")
            }
            guard entries[name] == nil else { throw bad("entry \(name) appears twice") }
            entries[name] = Entry(name: name, method: method, data: start ..< start + compressed)
            names.append(name)
            cursor = extraStart + extraLength + commentLength
        }
        self.entries = entries
        self.names = names
    }

    /// The end record is the last thing in the file, followed only by a comment of at most
    /// 65,535 bytes, so at most that many positions are examined.
    private static func findEnd(_ window: ByteWindow) -> Int? {
        guard window.count >= 22 else { return nil }
        let last = window.count - 22
        for position in stride(from: last, through: max(0, last - 0xFFFF), by: -1)
        where window.bytes[position] == 0x50 && window.unsigned(position, width: 4) == endSignature {
            return position
        }
        return nil
    }

    /// The data range of the ZIP64 extended-information field (id 1) in an extra block.
    private static func zip64Extra(_ window: ByteWindow, at start: Int, length: Int) -> Range<Int>? {
        var at = start
        while at + 4 <= start + length {
            guard let id = window.u16(at), let size = window.u16(at + 2),
                  at + 4 + size <= start + length, window.contains(at + 4, count: size) else { return nil }
            if id == 1 { return at + 4 ..< at + 4 + size }
            at += 4 + size
        }
        return nil
    }
}
