import Foundation
import Jobs
import Postgres
import Testing

/// The one list of metric keys against what the database and the commands show.
@Suite struct MetricKeyTests {
    /// Every key meant as a column is a column of spectra.layer_metrics, and every column
    /// the aggregator (`spectra.aggregate()`, which fills the table) reads out of
    /// `results.metrics` is a known key.
    @Test func viewColumnsMatchTheKeys() throws {
        let url = try TestSupport.migratedDatabase()
        let columns = Set(try Connection(url: url).query(SQLQuery(
            """
            select a.attname as name from pg_attribute a
             where a.attrelid = 'spectra.layer_metrics'::regclass and a.attnum > 0 and not a.attisdropped
            """)).map { try $0.decode("name", as: String.self) })
        for key in MetricKey.allCases where key.isViewColumn {
            #expect(columns.contains(key.rawValue), "layer_metrics lacks a column for \(key.rawValue)")
        }
        let definition = try Connection(url: url).query(SQLQuery(
            "select pg_get_functiondef('spectra.aggregate(boolean)'::regprocedure) as sql")).first?.decode("sql", as: String.self) ?? ""
        let read = definition.matches(of: /metrics ->> '([a-z0-9_]+)'/).map { String($0.output.1) }
        #expect(!read.isEmpty)
        for name in read { #expect(MetricKey(rawValue: name) != nil, "the aggregator reads \(name), which no MetricKey names") }
    }

    /// The spectrum job stores exactly the representation keys, the weights job the weight keys.
    @Test func jobsAndCommandShareTheKeys() {
        #expect(Set(MetricKey.representation).isDisjoint(with: MetricKey.weightCommand))
        #expect(Set(MetricKey.weightCommand).isSubset(of: Set(MetricKey.weightsJob)))
        #expect(Set(MetricKey.representation + MetricKey.weightsJob) == Set(MetricKey.allCases))
    }
}
