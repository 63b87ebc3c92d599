/// GPT-2's reversible map from the 256 byte values to printable Unicode scalars.
///
/// Byte-level BPE vocabularies are stored as strings of these scalars so that every
/// token is printable JSON: bytes that are already visible Latin-1 characters map to
/// themselves, the other 68 (controls, space, soft hyphen, …) to U+0100 onwards in byte
/// order. Spectra keeps tokens as raw bytes internally and uses this map only to read
/// the vocabulary and merges.
public enum ByteLevelAlphabet {
    /// The scalar that stands for each byte value, indexed by byte.
    public static let scalars: [Unicode.Scalar] = {
        var result = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(byte) {
                result[byte] = Unicode.Scalar(UInt32(byte))!
            } else {
                result[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return result
    }()

    /// The byte each alphabet scalar stands for; nil for scalars outside the alphabet.
    public static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        if value < 256 { return isPrintable(Int(value)) ? UInt8(value) : nil }
        return value < 256 + 68 ? inverseHigh[Int(value - 256)] : nil
    }

    /// The bytes a vocabulary token spells, or nil when it contains a scalar outside the
    /// alphabet (an added token such as "<|endoftext|>" is plain ASCII and still decodes).
    public static func bytes(of token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let byte = byte(for: scalar) else { return nil }
            out.append(byte)
        }
        return out
    }

    /// The alphabet string for raw bytes (the inverse of `bytes(of:)`).
    public static func string(of bytes: some Sequence<UInt8>) -> String {
        var string = ""
        string.unicodeScalars.append(contentsOf: bytes.map { scalars[Int($0)] })
        return string
    }

    private static func isPrintable(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    private static let inverseHigh: [UInt8?] = {
        var result = [UInt8?](repeating: nil, count: 68)
        for byte in 0..<256 where !isPrintable(byte) {
            result[Int(scalars[byte].value) - 256] = UInt8(byte)
        }
        return result
    }()
}
