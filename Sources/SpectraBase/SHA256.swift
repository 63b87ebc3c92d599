internal import Crypto
import Foundation

/// SHA-256, streaming: `update` any number of times, then `finalize`. A thin face over
/// swift-crypto's implementation, so every module can checksum migrations, artifacts,
/// probe files and downloads without importing the database driver or Crypto itself.
public struct SHA256 {
    private var hasher = Crypto.SHA256()

    /// Starts a new hash.
    public init() {}

    /// Hashes `bytes` in one call and returns the 32-byte digest.
    public static func hash(_ bytes: some ContiguousBytes) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Hashes `bytes` and returns the digest as 64 lowercase hex digits.
    public static func hexDigest(_ bytes: some ContiguousBytes) -> String {
        hex(hash(bytes))
    }

    /// Lowercase hex of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Adds `bytes` to the hash.
    public mutating func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { update(buffer: $0) }
    }

    /// Adds the UTF-8 bytes of `string` to the hash.
    public mutating func update(_ string: String) {
        update(Array(string.utf8))
    }

    /// Adds the bytes of `buffer` to the hash.
    public mutating func update(buffer: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: buffer)
    }

    /// The digest of everything added so far; the hasher may keep being updated.
    public func finalize() -> [UInt8] {
        Array(hasher.finalize())
    }

    /// The digest as 64 lowercase hex digits.
    public func hexDigest() -> String { Self.hex(finalize()) }
}
