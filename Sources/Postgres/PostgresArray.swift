import Foundation

/// A type whose Swift arrays map to a PostgreSQL one-dimensional array
/// (`[Float]` ↔ `real[]`), or, for `UInt8`, to `bytea`.
public protocol PostgresArrayElement: Sendable {
    /// The array type's OID (`real[]` for Float).
    static var postgresArrayType: PostgresType { get }
    /// Encodes a whole array; the default writes an array literal.
    static func encodeArray(_ elements: [Self]) -> PostgresValue
    /// Decodes a whole array from its text; the default parses an array literal.
    static func decodeArray(_ text: String, type: PostgresType) throws(PostgresError) -> [Self]
}

extension PostgresArrayElement where Self: PostgresEncodable & PostgresDecodable {
    public static func encodeArray(_ elements: [Self]) -> PostgresValue {
        .text(ArrayText.format(elements.map { $0.postgresValue.textValue }), type: postgresArrayType)
    }

    public static func decodeArray(_ text: String, type: PostgresType) throws(PostgresError) -> [Self] {
        let items = try ArrayText.parse(text)
        var result: [Self] = []
        result.reserveCapacity(items.count)
        for (offset, item) in items.enumerated() {
            if let item {
                result.append(try Self(postgresText: item, type: .unspecified))
            } else if let null = Self.postgresNull {
                result.append(null)
            } else {
                throw PostgresError(.decodingFailed,
                    "array element \(offset + 1) is NULL; decode as an array of Optional \(Self.self) to accept NULLs")
            }
        }
        return result
    }
}

extension Int: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int8Array } }
extension Int64: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int8Array } }
extension Int32: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int4Array } }
extension Int16: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int2Array } }
extension Float: PostgresArrayElement { public static var postgresArrayType: PostgresType { .float4Array } }
extension Double: PostgresArrayElement { public static var postgresArrayType: PostgresType { .float8Array } }
extension String: PostgresArrayElement { public static var postgresArrayType: PostgresType { .textArray } }
extension Bool: PostgresArrayElement { public static var postgresArrayType: PostgresType { .boolArray } }
extension UUID: PostgresArrayElement { public static var postgresArrayType: PostgresType { .uuidArray } }
extension Date: PostgresArrayElement { public static var postgresArrayType: PostgresType { .timestamptzArray } }

extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement & PostgresEncodable & PostgresDecodable {
    public static var postgresArrayType: PostgresType { Wrapped.postgresArrayType }
}

/// `[UInt8]` is bytes, so it maps to `bytea` rather than to an array of small integers.
extension UInt8: PostgresArrayElement {
    public static var postgresArrayType: PostgresType { .bytea }
    public static func encodeArray(_ elements: [UInt8]) -> PostgresValue {
        PostgresValue(type: .bytea, bytes: elements, format: .binary)
    }
    public static func decodeArray(_ text: String, type: PostgresType) throws(PostgresError) -> [UInt8] {
        try ByteaText.decode(text)
    }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresType { Element.postgresArrayType }
    public var postgresValue: PostgresValue { Element.encodeArray(self) }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public init(postgresText text: String, type: PostgresType) throws(PostgresError) {
        self = try Element.decodeArray(text, type: type)
    }
}

/// PostgreSQL's array literal syntax for one-dimensional arrays.
enum ArrayText {
    /// Writes `{"a","b\"c",NULL}`; every element is quoted so no text can be read as NULL
    /// or break the literal.
    static func format(_ elements: [String?]) -> String {
        var out = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { out += "," }
            guard let element else { out += "NULL"; continue }
            out += "\""
            for character in element.unicodeScalars {
                if character == "\"" || character == "\\" { out += "\\" }
                out.unicodeScalars.append(character)
            }
            out += "\""
        }
        return out + "}"
    }

    /// Parses `{1,2,NULL}` or `{"x y","a\"b"}` (and `[1:3]={…}`); nil items are NULLs.
    static func parse(_ text: String) throws(PostgresError) -> [String?] {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "[") {
            // Explicit bounds such as `[0:2]={…}`: the lower bound does not matter here.
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { throw malformed(text) }
            bytes = bytes[(equals + 1)...]
        }
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { throw malformed(text) }
        let body = bytes.dropFirst().dropLast()
        if body.allSatisfy(isSpace) { return [] }
        if body.first == UInt8(ascii: "{") {
            throw PostgresError(.decodingFailed, "multidimensional arrays are not supported")
        }
        var items: [String?] = []
        var index = body.startIndex
        while true {
            while index < body.endIndex, isSpace(body[index]) { index += 1 }
            var element: [UInt8] = []
            var quoted = false
            if index < body.endIndex, body[index] == UInt8(ascii: "\"") {
                quoted = true
                index += 1
                var closed = false
                while index < body.endIndex {
                    let byte = body[index]
                    index += 1
                    if byte == UInt8(ascii: "\\") {
                        guard index < body.endIndex else { break }
                        element.append(body[index])
                        index += 1
                    } else if byte == UInt8(ascii: "\"") {
                        closed = true
                        break
                    } else {
                        element.append(byte)
                    }
                }
                guard closed else { throw malformed(text) }
                while index < body.endIndex, isSpace(body[index]) { index += 1 }
            } else {
                while index < body.endIndex, body[index] != UInt8(ascii: ",") {
                    if body[index] == UInt8(ascii: "{") || body[index] == UInt8(ascii: "\"") { throw malformed(text) }
                    if body[index] == UInt8(ascii: "\\"), index + 1 < body.endIndex { index += 1 }
                    element.append(body[index])
                    index += 1
                }
                while let last = element.last, isSpace(last) { element.removeLast() }
            }
            let string = String(decoding: element, as: UTF8.self)
            if !quoted, string.caseInsensitiveCompare("NULL") == .orderedSame {
                items.append(nil)
            } else {
                items.append(string)
            }
            if index == body.endIndex { return items }
            guard body[index] == UInt8(ascii: ",") else { throw malformed(text) }
            index += 1
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func malformed(_ text: String) -> PostgresError {
        .cannotDecode(text, as: [String].self, reason: "malformed array literal")
    }
}

/// bytea's text output: `\x0a1b…` (hex, the default) or the older escape format.
enum ByteaText {
    static func decode(_ text: String) throws(PostgresError) -> [UInt8] {
        let bytes = Array(text.utf8)
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x") {
            guard bytes.count % 2 == 0 else { throw .cannotDecode(text, as: [UInt8].self, reason: "odd hex length") }
            var out = [UInt8]()
            out.reserveCapacity(bytes.count / 2 - 1)
            var index = 2
            while index < bytes.count {
                guard let high = hexValue(bytes[index]), let low = hexValue(bytes[index + 1]) else {
                    throw .cannotDecode(text, as: [UInt8].self, reason: "invalid hex digit")
                }
                out.append(high << 4 | low)
                index += 2
            }
            return out
        }
        var out = [UInt8]()
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\\") {
                    out.append(UInt8(ascii: "\\"))
                    index += 2
                } else if index + 3 < bytes.count,
                          let a = octalValue(bytes[index + 1]), let b = octalValue(bytes[index + 2]),
                          let c = octalValue(bytes[index + 3]) {
                    out.append(a << 6 | b << 3 | c)
                    index += 4
                } else {
                    throw .cannotDecode(text, as: [UInt8].self, reason: "invalid escape")
                }
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func octalValue(_ byte: UInt8) -> UInt8? {
        (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) ? byte - UInt8(ascii: "0") : nil
    }
}
