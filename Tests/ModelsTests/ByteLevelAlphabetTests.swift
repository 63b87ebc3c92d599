import Testing
@testable import Models

/// GPT-2's bytes↔unicode table, checked against values known from its published
/// `bytes_to_unicode` (space is Ġ U+0120, newline Ċ U+010A, tab ĉ U+0109).
@Suite struct ByteLevelAlphabetTests {
    @Test func knownBytes() {
        #expect(ByteLevelAlphabet.scalars[0x20] == "Ġ")
        #expect(ByteLevelAlphabet.scalars[0x0A] == "Ċ")
        #expect(ByteLevelAlphabet.scalars[0x09] == "ĉ")
        #expect(ByteLevelAlphabet.scalars[0x00] == "\u{0100}")
        #expect(ByteLevelAlphabet.scalars[0x41] == "A")
        #expect(ByteLevelAlphabet.scalars[0xAD] == "\u{0143}")  // soft hyphen, the last remapped byte
        #expect(ByteLevelAlphabet.scalars[0xFF] == "ÿ")
    }

    @Test func isABijection() {
        let scalars = ByteLevelAlphabet.scalars
        #expect(Set(scalars).count == 256)
        for byte in 0..<256 { #expect(ByteLevelAlphabet.byte(for: scalars[byte]) == UInt8(byte)) }
        #expect(ByteLevelAlphabet.byte(for: "\u{0144}") == nil)
        #expect(ByteLevelAlphabet.byte(for: " ") == nil)  // space itself is not in the alphabet
    }

    @Test func roundTripsTokens() {
        let bytes = Array("ĠHello, wörld\n".utf8)
        let token = ByteLevelAlphabet.string(of: bytes)
        #expect(ByteLevelAlphabet.bytes(of: token) == bytes)
        #expect(ByteLevelAlphabet.bytes(of: "ĠtheĊ") == Array(" the\n".utf8))
        #expect(ByteLevelAlphabet.bytes(of: "a b") == nil)
    }
}
