import Testing
@testable import Postgres

/// PostgreSQL array literal syntax, checked against the server's documented output forms.
@Suite struct ArrayTextTests {
    @Test func formatQuotesEveryElement() {
        #expect(ArrayText.format([]) == "{}")
        #expect(ArrayText.format(["a", nil, "NULL", "x,y", "q\"b\\s", ""]) == #"{"a",NULL,"NULL","x,y","q\"b\\s",""}"#)
    }

    @Test func parseHandlesQuotingNullsAndWhitespace() throws {
        #expect(try ArrayText.parse("{}") == [])
        #expect(try ArrayText.parse("{1,2,3}") == ["1", "2", "3"])
        #expect(try ArrayText.parse("{NULL,null,\"NULL\"}") == [nil, nil, "NULL"])
        #expect(try ArrayText.parse(#"{"a b","x,y","q\"b\\s",""}"#) == ["a b", "x,y", "q\"b\\s", ""])
        #expect(try ArrayText.parse("{ 1 , 2 }") == ["1", "2"])
        #expect(try ArrayText.parse("{NaN,Infinity,-Infinity}") == ["NaN", "Infinity", "-Infinity"])
        #expect(try ArrayText.parse("[0:1]={7,8}") == ["7", "8"])
    }

    @Test func parseRejectsMalformedAndMultidimensionalInput() {
        #expect(throws: PostgresError.self) { try ArrayText.parse("1,2") }
        #expect(throws: PostgresError.self) { try ArrayText.parse("{\"open}") }
        #expect(throws: PostgresError.self) { try ArrayText.parse("{{1,2},{3,4}}") }
    }

    @Test func floatArraysDecodeNonFiniteValues() throws {
        let values = try [Float](postgresText: "{1.5,NaN,Infinity,-Infinity,1e-05}", type: .float4Array)
        #expect(values[0] == 1.5 && values[1].isNaN && values[2] == .infinity && values[3] == -.infinity)
        #expect(values[4] == Float(1e-05))
    }

    @Test func nullElementsNeedOptionalElements() throws {
        #expect(throws: PostgresError.self) { try [Int64](postgresText: "{1,NULL}", type: .int8Array) }
        #expect(try [Int64?](postgresText: "{1,NULL}", type: .int8Array) == [1, nil])
    }

    @Test func byteaHexAndEscapeForms() throws {
        #expect(try ByteaText.decode("\\x00ff10") == [0, 255, 16])
        #expect(try ByteaText.decode("\\x") == [])
        #expect(try ByteaText.decode("a\\\\b\\001") == [97, 92, 98, 1])
        #expect(throws: PostgresError.self) { try ByteaText.decode("\\x0g") }
    }
}
