/// A PostgreSQL type OID, sent with a bound parameter so the server need not guess.
public struct PostgresType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Lets the server infer the type from context (as for an untyped literal).
    public static let unspecified = PostgresType(rawValue: 0)
    public static let bool = PostgresType(rawValue: 16)
    public static let bytea = PostgresType(rawValue: 17)
    public static let int8 = PostgresType(rawValue: 20)
    public static let int2 = PostgresType(rawValue: 21)
    public static let int4 = PostgresType(rawValue: 23)
    public static let text = PostgresType(rawValue: 25)
    public static let json = PostgresType(rawValue: 114)
    public static let float4 = PostgresType(rawValue: 700)
    public static let float8 = PostgresType(rawValue: 701)
    public static let boolArray = PostgresType(rawValue: 1000)
    public static let int2Array = PostgresType(rawValue: 1005)
    public static let int4Array = PostgresType(rawValue: 1007)
    public static let textArray = PostgresType(rawValue: 1009)
    public static let int8Array = PostgresType(rawValue: 1016)
    public static let float4Array = PostgresType(rawValue: 1021)
    public static let float8Array = PostgresType(rawValue: 1022)
    public static let timestamp = PostgresType(rawValue: 1114)
    public static let timestamptz = PostgresType(rawValue: 1184)
    public static let uuid = PostgresType(rawValue: 2950)
    public static let uuidArray = PostgresType(rawValue: 2951)
    public static let jsonb = PostgresType(rawValue: 3802)
    public static let timestamptzArray = PostgresType(rawValue: 1185)

    public var description: String { "oid \(rawValue)" }
}

/// One bound parameter as it goes on the wire: its type, its bytes (nil for NULL), and
/// whether those bytes are PostgreSQL's text or binary representation.
public struct PostgresValue: Sendable, Equatable {
    /// Wire format of `bytes`.
    public enum Format: Int32, Sendable { case text = 0, binary = 1 }

    /// The parameter's declared type.
    public var type: PostgresType
    /// The encoded value, or nil for SQL NULL.
    public var bytes: [UInt8]?
    /// Whether `bytes` is text or binary.
    public var format: Format

    /// Creates a value from raw bytes.
    public init(type: PostgresType, bytes: [UInt8]?, format: Format) {
        self.type = type
        self.bytes = bytes
        self.format = format
    }

    /// A text-format value.
    public static func text(_ text: String, type: PostgresType) -> PostgresValue {
        PostgresValue(type: type, bytes: Array(text.utf8), format: .text)
    }

    /// SQL NULL of the given type.
    public static func null(_ type: PostgresType) -> PostgresValue {
        PostgresValue(type: type, bytes: nil, format: .text)
    }

    /// The value's text, for text-format values; nil for NULL or binary.
    var textValue: String? {
        guard format == .text, let bytes else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A Swift value that can be bound as a query parameter.
public protocol PostgresEncodable: Sendable {
    /// The parameter type announced to the server; `.unspecified` lets it infer one.
    static var postgresType: PostgresType { get }
    /// The value's wire representation.
    var postgresValue: PostgresValue { get }
}

/// A Swift value that can be decoded from PostgreSQL's text output.
public protocol PostgresDecodable {
    /// Decodes a non-NULL value from its text representation; `type` is the column's OID.
    init(postgresText text: String, type: PostgresType) throws(PostgresError)
    /// The value for SQL NULL, or nil when this type cannot represent NULL.
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public static var postgresNull: Self? { nil }
}

/// A value that can be bound and decoded, in both directions.
public typealias PostgresCodable = PostgresEncodable & PostgresDecodable

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresType { Wrapped.postgresType }
    public var postgresValue: PostgresValue {
        switch self {
        case .some(let value): value.postgresValue
        case .none: .null(Wrapped.postgresType)
        }
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText text: String, type: PostgresType) throws(PostgresError) {
        self = .some(try Wrapped(postgresText: text, type: type))
    }
    public static var postgresNull: Self? { .some(.none) }
}

extension PostgresError {
    /// A decoding failure for `text` read as `type`; the column is added by `Row`.
    static func cannotDecode(_ text: String, as type: Any.Type, reason: String? = nil) -> PostgresError {
        let shown = text.count > 60 ? String(text.prefix(60)) + "…" : text
        var message = "cannot decode \"\(shown)\" as \(type)"
        if let reason { message += ": \(reason)" }
        return PostgresError(.decodingFailed, message)
    }
}
