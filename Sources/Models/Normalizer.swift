import Foundation

/// The Unicode normalization a tokenizer.json asks for before pre-tokenization.
public enum Normalizer: Sendable, Equatable {
    case nfc, nfd, nfkc, nfkd
    /// Several normalizers applied in order (tokenizer.json's `Sequence`).
    indirect case sequence([Normalizer])

    /// `text` normalized.
    public func apply(_ text: String) -> String {
        switch self {
        case .sequence(let steps):
            return steps.reduce(text) { $1.apply($0) }
        case .nfc, .nfd, .nfkc, .nfkd:
            if isStable(text.utf8) { return text }
            switch self {
            case .nfc: return text.precomposedStringWithCanonicalMapping
            case .nfd: return text.decomposedStringWithCanonicalMapping
            case .nfkc: return text.precomposedStringWithCompatibilityMapping
            default: return text.decomposedStringWithCompatibilityMapping
            }
        }
    }

    /// Whether `bytes` are certainly unchanged, checked without calling Foundation: ASCII
    /// is stable under every form, and no scalar below U+0300 (every UTF-8 byte below
    /// 0xCC) changes or combines under NFC, which covers Latin-1 text.
    func isStable(_ bytes: some Sequence<UInt8>) -> Bool {
        let limit: UInt8
        switch self {
        case .nfc: limit = 0xCC
        case .nfd, .nfkc, .nfkd: limit = 0x80
        case .sequence(let steps): return steps.allSatisfy { $0.isStable(bytes) }
        }
        return bytes.allSatisfy { $0 < limit }
    }
}
