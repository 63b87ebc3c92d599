import Foundation
import SpectraBase
import Testing
@testable import Postgres

/// Every bindable type goes to the server as a parameter and comes back decoded to the
/// same value; equality is exact because each type's text form round-trips exactly.
@Suite struct BindingRoundTripTests {
    @Test func scalarsRoundTripExactly() throws {
        let connection = try freshConnection()
        let id = UUID()
        let date = Date(timeIntervalSince1970: 1_795_468_260.123456)
        let rows = try connection.query("""
            SELECT \(42) AS int, \(Int64.max) AS int64, \(Int32.min) AS int32,
                   \(0.1) AS double, \(Float(0.1)) AS float, \("héllo 'world'") AS string,
                   \(true) AS yes, \(false) AS no, \(id) AS id, \(date) AS at,
                   \(Double.nan) AS nan, \(-Double.infinity) AS neginf, \(Float.infinity) AS posinf
            """)
        let row = try #require(rows.first)
        #expect(try row.decode("int", as: Int.self) == 42)
        #expect(try row.decode("int64", as: Int64.self) == .max)
        #expect(try row.decode("int32", as: Int32.self) == .min)
        #expect(try row.decode("double", as: Double.self) == 0.1)
        #expect(try row.decode("float", as: Float.self) == Float(0.1))
        #expect(try row.decode("string", as: String.self) == "héllo 'world'")
        #expect(try row.decode("yes", as: Bool.self))
        #expect(try !row.decode("no", as: Bool.self))
        #expect(try row.decode("id", as: UUID.self) == id)
        // timestamptz keeps microseconds: the decoded date is within half a microsecond.
        #expect(abs(try row.decode("at", as: Date.self).timeIntervalSince(date)) < 0.5e-6)
        #expect(try row.decode("nan", as: Double.self).isNaN)
        #expect(try row.decode("neginf", as: Double.self) == -.infinity)
        #expect(try row.decode("posinf", as: Float.self) == .infinity)
        #expect(try row.decode(0, as: Int.self) == 42)
    }

    @Test func arraysRoundTripIncludingEmptyQuotedAndNonFinite() throws {
        let connection = try freshConnection()
        let floats: [Float] = [1.5, -0.0, .nan, .infinity, -.infinity, 1e-30, .greatestFiniteMagnitude]
        let doubles: [Double] = [0.1, .pi, .nan, -.infinity, .leastNonzeroMagnitude]
        let ints: [Int64] = [.min, -1, 0, .max]
        let strings = ["plain", "with space", "comma,here", "quote\"here", "back\\slash", "{braces}", "NULL", "", "ünï"]
        let row = try #require(try connection.query("""
            SELECT \(floats) AS floats, \(doubles) AS doubles, \(ints) AS ints, \([1, 2, 3]) AS plain_ints,
                   \(strings) AS strings, \([Float]()) AS empty_floats, \([String]()) AS empty_strings,
                   \([Float?]([1, nil, 3])) AS with_null, array_length(\(strings), 1) AS server_count
            """).first)
        let decodedFloats = try row.decode("floats", as: [Float].self)
        #expect(decodedFloats.count == floats.count)
        for (decoded, original) in zip(decodedFloats, floats) {
            // Exact: float4's text output is the shortest round-tripping form.
            #expect(decoded.bitPattern == original.bitPattern || (decoded.isNaN && original.isNaN))
        }
        let decodedDoubles = try row.decode("doubles", as: [Double].self)
        for (decoded, original) in zip(decodedDoubles, doubles) {
            #expect(decoded.bitPattern == original.bitPattern || (decoded.isNaN && original.isNaN))
        }
        #expect(try row.decode("ints", as: [Int64].self) == ints)
        #expect(try row.decode("plain_ints", as: [Int].self) == [1, 2, 3])
        #expect(try row.decode("strings", as: [String].self) == strings)
        #expect(try row.decode("server_count", as: Int.self) == strings.count)  // the server saw 9 elements
        #expect(try row.decode("empty_floats", as: [Float].self) == [])
        #expect(try row.decode("empty_strings", as: [String].self) == [])
        #expect(try row.decode("with_null", as: [Float?].self) == [1, nil, 3])
        #expect(throws: PostgresError.self) { try row.decode("with_null", as: [Float].self) }
    }

    @Test func nullsDecodeAsOptionalsAndFailOtherwise() throws {
        let connection = try freshConnection()
        let missingInt: Int? = nil
        let missingDate: Date? = nil
        let missingFloats: [Float]? = nil
        let row = try #require(try connection.query("""
            SELECT \(missingInt) AS i, \(missingDate) AS d, \(missingFloats) AS f, NULL::uuid AS u,
                   NULL::jsonb AS j, NULL::bytea AS b, NULL::text AS s, NULL::bool AS flag
            """).first)
        #expect(try row.decode("i", as: Int?.self) == nil)
        #expect(try row.decode("d", as: Date?.self) == nil)
        #expect(try row.decode("f", as: [Float]?.self) == nil)
        #expect(try row.decode("u", as: UUID?.self) == nil)
        #expect(try row.decode("j", as: JSON?.self) == nil)
        #expect(try row.decode("b", as: Data?.self) == nil)
        #expect(try row.decode("s", as: String?.self) == nil)
        #expect(try row.decode("flag", as: Bool?.self) == nil)
        #expect(try row.decodeJSON("j", as: [String: Int]?.self) == nil)
        let error = try #require(throws: PostgresError.self) { try row.decode("i", as: Int.self) }
        #expect(error.code == .decodingFailed)
        #expect(error.message.contains("\"i\""))
    }

    @Test func jsonbFromTextAndEncodable() throws {
        struct Progress: Codable, Equatable { var layer: Int; var done: [String] }
        let connection = try freshConnection()
        let progress = Progress(layer: 3, done: ["a", "b\"c"])
        let row = try #require(try connection.query("""
            SELECT \(try JSON(progress)) AS encoded, \(JSON(raw: #"{"b": 1, "a": [true, null]}"#)) AS raw,
                   \(try JSON(progress)) ->> 'layer' AS layer
            """).first)
        #expect(try row.decodeJSON("encoded", as: Progress.self) == progress)
        #expect(try row.decode("raw", as: String.self) == #"{"a": [true, null], "b": 1}"#)  // jsonb normalizes
        #expect(try row.decode("layer", as: Int.self) == 3)
        #expect(try row.decode("encoded", as: JSON.self).decode(Progress.self) == progress)
        #expect(throws: PostgresError.self) { try connection.query("SELECT \(JSON(raw: "{not json")) AS j") }
    }

    @Test func byteaCarriesEveryByteValue() throws {
        let connection = try freshConnection()
        let bytes = [UInt8](0...255)
        let row = try #require(try connection.query("""
            SELECT \(bytes) AS bytes, \(Data(bytes.reversed())) AS data, \([UInt8]()) AS empty,
                   length(\(bytes)) AS length, sha256(\(bytes)) AS digest
            """).first)
        #expect(try row.decode("bytes", as: [UInt8].self) == bytes)
        #expect(try row.decode("data", as: Data.self) == Data(bytes.reversed()))
        #expect(try row.decode("empty", as: [UInt8].self) == [])
        #expect(try row.decode("length", as: Int.self) == 256)
        // The server's sha256() is an independent oracle for our SHA256.
        #expect(try row.decode("digest", as: [UInt8].self) == SHA256.hash(bytes))
    }

    @Test func serverGeneratedTimestampsAndUUIDsDecode() throws {
        let connection = try freshConnection()
        // A non-UTC session time zone: the offset in the text must be honoured.
        try connection.execute("SET TIME ZONE 'Asia/Kolkata'")
        let row = try #require(try connection.query("""
            SELECT timestamptz '2026-11-23 21:11:00.123456+00' AS at, timestamptz '2026-11-23 21:11:00.123456+00'::text AS text,
                   'infinity'::timestamptz AS forever, date '2026-11-23' AS day,
                   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id
            """).first)
        #expect(try row.decode("text", as: String.self) == "2026-11-24 02:41:00.123456+05:30")
        let at = try row.decode("at", as: Date.self)
        #expect(abs(at.timeIntervalSince1970 - 1_795_468_260.123456) < 0.5e-6)
        #expect(try row.decode("forever", as: Date.self) == .distantFuture)
        #expect(try row.decode("day", as: Date.self) == Date(timeIntervalSince1970: 1_795_392_000))
        #expect(try row.decode("id", as: UUID.self) == UUID(uuidString: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"))
    }

    @Test func valuesStoreIntoTypedColumns() throws {
        let connection = try freshConnection()
        try connection.unsafeExecute("""
            CREATE TABLE t (id int4 PRIMARY KEY, small int2, eig real[], at timestamptz, tag uuid, state text);
            """)
        let id = UUID()
        // Int binds as int8 and a String as an untyped literal, so both fit narrower or
        // non-text columns through the server's casts.
        let inserted = try connection.execute("""
            INSERT INTO t VALUES (\(1), \(7), \([Float(0.5), 0.25]), \(Date(timeIntervalSince1970: 0)), \(id.uuidString), \("ok")),
                                 (\(2), \(Int16(3)), \([Float]()), NULL, \(id), NULL)
            """)
        #expect(inserted == 2)
        let rows = try connection.query("SELECT * FROM t ORDER BY id")
        #expect(try rows.map { try $0.decode("id", as: Int32.self) } == [1, 2])
        #expect(try rows[0].decode("eig", as: [Float].self) == [0.5, 0.25])
        #expect(try rows[0].decode("at", as: Date.self) == Date(timeIntervalSince1970: 0))
        #expect(try rows[1].decode("tag", as: UUID.self) == id)
        #expect(try rows[1].decode("small", as: Int.self) == 3)
    }
}
