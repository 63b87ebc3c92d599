import Foundation
import Testing
@testable import Postgres

/// Date ↔ timestamptz text. Dates are compared at microsecond resolution (timestamptz's
/// own), with a tolerance of half a microsecond for the Double in `Date`.
@Suite struct TimestampTests {
    @Test func formatsUTCWithMicroseconds() {
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00.000000+00")
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 1_795_468_260.123456)) == "2026-11-23 21:11:00.123456+00")
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: -1)) == "1969-12-31 23:59:59.000000+00")
    }

    @Test func parsesOffsetsFractionsAndDates() throws {
        let reference = Date(timeIntervalSince1970: 1_795_468_260.123456)
        for text in ["2026-11-23 21:11:00.123456+00", "2026-11-24 02:41:00.123456+05:30", "2026-11-23 13:11:00.123456-08",
                     "2026-11-23T21:11:00.123456Z"] {
            let parsed = try #require(PostgresTimestamp.parse(text), "\(text)")
            #expect(abs(parsed.timeIntervalSince(reference)) < 0.5e-6, "\(text)")
        }
        #expect(PostgresTimestamp.parse("2026-11-23") == Date(timeIntervalSince1970: 1_795_392_000))
        #expect(PostgresTimestamp.parse("2026-11-23 21:11:00") == Date(timeIntervalSince1970: 1_795_468_260))
        #expect(PostgresTimestamp.parse("infinity") == .distantFuture)
        #expect(PostgresTimestamp.parse("2026-13-01") == nil)
        #expect(PostgresTimestamp.parse("yesterday") == nil)
    }

    @Test func bcDatesUseAstronomicalYears() throws {
        // 0001-01-01 BC is astronomical year 0; its day number comes from the civil algorithm.
        let date = try #require(PostgresTimestamp.parse("0001-01-01 00:00:00+00 BC"))
        let days = PostgresTimestamp.days(fromCivil: 0, 1, 1)
        #expect(date.timeIntervalSince1970 == Double(days) * 86_400)
        #expect(PostgresTimestamp.format(date) == "0001-01-01 00:00:00.000000+00 BC")
    }

    @Test func formatThenParseIsExactToTheMicrosecond() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            // Years 1 to 9999, whole microseconds.
            let micros = Int64.random(in: -62_135_596_800_000_000...253_402_300_799_999_999, using: &generator)
            let date = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
            let parsed = try #require(PostgresTimestamp.parse(PostgresTimestamp.format(date)))
            #expect(abs(parsed.timeIntervalSince(date)) < 0.5e-6 * max(1, abs(date.timeIntervalSince1970) / 1e9 * 8))
        }
    }

    @Test func civilConversionsAreInverse() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let (y, m, d) = PostgresTimestamp.civil(fromDays: days)
            #expect(PostgresTimestamp.days(fromCivil: y, m, d) == days)
        }
    }
}
