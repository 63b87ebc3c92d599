import Foundation

// Integers travel as int8 so any integer column accepts them by an implicit cast;
// decoding accepts any integer column whose value fits.

extension Int: PostgresCodable {
    public static var postgresType: PostgresType { .int8 }
    public var postgresValue: PostgresValue { .text(String(self), type: .int8) }
    public init(postgresText text: String, type: PostgresType) throws(PostgresError) {
        guard let value = Int(text) else { throw .cannotDecode(text, as: Int.self) }
        self = value
    }
}

extension Int64: PostgresCodable {
    public static var postgresType: PostgresType { .int8 }
    public var postgresValue: PostgresValue { .text(String(self), type: .int8) }
    public init(postgresText text: String, type: PostgresType) throws(PostgresError) {
        guard let value = Int64(text) else { throw .cannotDecode(text, as: Int64.self) }
        self = value
    }
}

extension Int32: PostgresCodable {
    public static var postgresType: PostgresType { .int4 }
    public var postgresValue: PostgresValue { .text(String(self), type: .int4) }
    public init(postgresText text: String, type: PostgresType) throws(PostgresError) {
        guard let value = Int32(text) else {
            throw .cannotDecode(text, as: Int32.self, reason: "not an integer in Int32's range")
        }
        self = value
    }
}

extension Int16: PostgresCodable {
    public static var postgresType: PostgresType { .int2 }
    public var postgresValue: PostgresValue { .text(String(self), type: .int2) }
    public init(postgresText text: String, type: PostgresType) throws(PostgresError) {
        guard let value = Int16(text) else {
            throw .cannotDecode(text, as: Int16.self, reason: "not an integer in Int16's range")
        }
        self = value
    }
}

/// PostgreSQL spells the non-finite values `NaN`, `Infinity` and `-Infinity`; Swift's
/// `description` spells them `nan`/`inf`, which older servers reject, so write them out.
func postgresFloatText<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
    // `description` is the shortest text that round-trips, which is what float4in and
    // float8in need to reproduce the same bits.
    return value.description
}

extension Double: PostgresCodable {
    public static var postgresType: PostgresType { .float8 }
    public var postgresValue: PostgresValue { .text(postgresFloatText(self), type: .float8) }
    public init(postgresText text: String, type: PostgresType) throws(PostgresError) {
        guard let value = Double(text) else { throw .cannotDecode(text, as: Double.self) }
        self = value
    }
}

extension Float: PostgresCodable {
    public static var postgresType: PostgresType { .float4 }
    public var postgresValue: PostgresValue { .text(postgresFloatText(self), type: .float4) }
    public init(postgresText text: String, type: PostgresType) throws(PostgresError) {
        guard let value = Float(text) else { throw .cannotDecode(text, as: Float.self) }
        self = value
    }
}

extension String: PostgresCodable {
    /// Unspecified, so a string can be bound to any column type (uuid, enum, inet…)
    /// and the server parses it as that type's input. Where the server cannot infer a
    /// type (`\(name) IS NULL`), cast it in the SQL: `\(name)::text IS NULL`.
    public static var postgresType: PostgresType { .unspecified }
    public var postgresValue: PostgresValue { .text(self, type: .unspecified) }
    public init(postgresText text: String, type: PostgresType) throws(PostgresError) {
        self = text
    }
}

extension Bool: PostgresCodable {
    public static var postgresType: PostgresType { .bool }
    public var postgresValue: PostgresValue { .text(self ? "t" : "f", type: .bool) }
    public init(postgresText text: String, type: PostgresType) throws(PostgresError) {
        switch text {
        case "t", "true", "TRUE", "1", "on", "yes": self = true
        case "f", "false", "FALSE", "0", "off", "no": self = false
        default: throw .cannotDecode(text, as: Bool.self)
        }
    }
}

extension UUID: PostgresCodable {
    public static var postgresType: PostgresType { .uuid }
    public var postgresValue: PostgresValue { .text(uuidString.lowercased(), type: .uuid) }
    public init(postgresText text: String, type: PostgresType) throws(PostgresError) {
        guard let value = UUID(uuidString: text) else { throw .cannotDecode(text, as: UUID.self) }
        self = value
    }
}

extension Date: PostgresCodable {
    public static var postgresType: PostgresType { .timestamptz }
    public var postgresValue: PostgresValue {
        .text(PostgresTimestamp.format(self), type: .timestamptz)
    }
    /// Reads timestamptz, timestamp (taken as UTC) and date text in ISO DateStyle.
    public init(postgresText text: String, type: PostgresType) throws(PostgresError) {
        guard let value = PostgresTimestamp.parse(text) else {
            throw .cannotDecode(text, as: Date.self, reason: "expected ISO DateStyle output")
        }
        self = value
    }
}

extension Data: PostgresCodable {
    public static var postgresType: PostgresType { .bytea }
    /// Binary format: the bytes go as they are, with no hex doubling.
    public var postgresValue: PostgresValue {
        PostgresValue(type: .bytea, bytes: [UInt8](self), format: .binary)
    }
    public init(postgresText text: String, type: PostgresType) throws(PostgresError) {
        self = Data(try ByteaText.decode(text))
    }
}
