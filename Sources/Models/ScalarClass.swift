/// The four classes the patterns distinguish.
enum ScalarClass: UInt8 {
    case letter, number, space, other

    /// The class and UTF-8 length of the scalar starting at byte `i` of valid UTF-8.
    @inline(__always)
    static func at(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> (ScalarClass, Int) {
        let b = text[i]
        if b < 0x80 {
            let lower = b | 0x20
            if lower >= 0x61 && lower <= 0x7A { return (.letter, 1) }
            if b >= 0x30 && b <= 0x39 { return (.number, 1) }
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) { return (.space, 1) }
            return (.other, 1)
        }
        return decodeNonASCII(text, i)
    }

    private static func decodeNonASCII(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> (ScalarClass, Int) {
        let b = UInt32(text[i])
        let value: UInt32
        let length: Int
        if b < 0xE0 {
            value = (b & 0x1F) << 6 | UInt32(text[i + 1] & 0x3F)
            length = 2
        } else if b < 0xF0 {
            value = (b & 0x0F) << 12 | UInt32(text[i + 1] & 0x3F) << 6 | UInt32(text[i + 2] & 0x3F)
            length = 3
        } else {
            value = (b & 0x07) << 18 | UInt32(text[i + 1] & 0x3F) << 12
                | UInt32(text[i + 2] & 0x3F) << 6 | UInt32(text[i + 3] & 0x3F)
            length = 4
        }
        return (classify(Unicode.Scalar(value) ?? "\u{FFFD}"), length)
    }

    static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        let properties = scalar.properties
        if properties.isWhitespace { return .space }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }
}
