import Foundation
import Testing
@testable import Postgres

/// How interpolation turns into SQL text and parameters, without a server.
@Suite struct SQLQueryTests {
    @Test func interpolatedValuesBecomeNumberedParameters() {
        let name: String? = nil
        let query: SQLQuery = "select * from t where id = \(7) and name = \(name) and score > \(1.5)"
        #expect(query.sql == "select * from t where id = $1 and name = $2 and score > $3")
        #expect(query.binds.map(\.type) == [.int8, .unspecified, .float8])
        #expect(query.binds[0].bytes == Array("7".utf8))
        #expect(query.binds[1].bytes == nil)  // NULL
    }

    @Test func valuesNeverReachTheText() {
        let hostile = "x'); drop table t; --"
        let query: SQLQuery = "select \(hostile)"
        #expect(query.sql == "select $1")
        #expect(!query.description.contains("drop"))
    }

    @Test func rawAndIdentifierSplices() {
        let query: SQLQuery = "select * from \(unsafeRaw: "spectra.jobs") join \(identifier: "we\"ird") using (\(unsafeRaw: "id")) where x = \(1)"
        #expect(query.sql == "select * from spectra.jobs join \"we\"\"ird\" using (id) where x = $1")
    }

    @Test func nestedAndConcatenatedQueriesRenumber() {
        let filter: SQLQuery = "state = \("available") and attempt < \(3)"
        let query: SQLQuery = "select \(1) where \(filter) and run = \(9)"
        #expect(query.sql == "select $1 where state = $2 and attempt < $3 and run = $4")
        #expect(query.binds.count == 4)
        let joined = query + " limit \(10)"
        #expect(joined.sql.hasSuffix("run = $4 limit $5"))
    }

    @Test func namesAreKeptForErrors() {
        let named = SQLQuery("select \(1)", name: "claim_jobs")
        #expect(named.name == "claim_jobs")
        #expect(named.description == "claim_jobs")
        #expect(SQLQuery("select 1").named("probe").name == "probe")
        let unnamed: SQLQuery = "update spectra.jobs set state = \("x") where id = \(3)"
        #expect(unnamed.reportedName == "update spectra.jobs set state …")
    }

    @Test func arraysAndSpecialTypesCarryTheirOIDs() throws {
        let query: SQLQuery = """
            select \([Float(1)]), \([1.0]), \([Int64(1)]), \(["a"]), \([UInt8]([1, 2])), \(Data([3])), \(JSON(raw: "{}")), \(Date())
            """
        #expect(query.binds.map(\.type) == [.float4Array, .float8Array, .int8Array, .textArray, .bytea, .bytea, .jsonb, .timestamptz])
        // bytea travels in binary format: the raw bytes, not hex text.
        #expect(query.binds[4].format == .binary && query.binds[4].bytes == [1, 2])
    }
}
