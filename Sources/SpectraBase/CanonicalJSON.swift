import Foundation

/// The one way Spectra writes JSON: keys sorted and slashes unescaped, so equal values
/// give equal bytes (run configurations hash equally, stored arguments and metrics
/// compare as text) and paths stay readable.
public enum CanonicalJSON {
    /// An encoder with the canonical settings; `pretty` adds line breaks and indentation
    /// for people, and dates are ISO 8601.
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// `value` as canonical JSON bytes.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        try encoder().encode(value)
    }

    /// `value` as canonical JSON text.
    public static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}
