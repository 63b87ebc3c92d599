import SpectraBase
import Foundation

/// A JSON document bound as `jsonb`, built from raw text or from an `Encodable` value.
public struct JSON: PostgresCodable, Sendable, Hashable, CustomStringConvertible {
    /// The document's text.
    public var text: String

    /// Wraps JSON text as it is; the server validates it.
    public init(raw text: String) {
        self.text = text
    }

    /// Encodes `value` with `encoder` (sorted keys by default, so equal values bind equally).
    public init<T: Encodable>(_ value: T, encoder: JSONEncoder? = nil) throws(PostgresError) {
        let encoder = encoder ?? CanonicalJSON.encoder()
        do {
            text = String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw PostgresError(.encodingFailed, "cannot encode \(T.self) as JSON: \(error)")
        }
    }

    /// Decodes the document into `type`.
    public func decode<T: Decodable>(_ type: T.Type = T.self, decoder: JSONDecoder = JSONDecoder()) throws(PostgresError) -> T {
        do {
            return try decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw PostgresError(.decodingFailed, "cannot decode JSON as \(T.self): \(error)")
        }
    }

    public var description: String { text }

    public static var postgresType: PostgresType { .jsonb }
    public var postgresValue: PostgresValue { .text(text, type: .jsonb) }
    public init(postgresText text: String, type: PostgresType) throws(PostgresError) {
        self.text = text
    }
}
