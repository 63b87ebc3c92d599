import Foundation
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
}
