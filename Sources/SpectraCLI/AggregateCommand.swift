import ArgumentParser
import Pipeline

/// `spectra aggregate`: refresh the views.
struct Aggregate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Refresh the materialized views (spectra.layer_metrics).")

    @OptionGroup var common: CommonOptions

    func run() throws {
        let logger = common.logger("spectra.aggregate")
        let rows = try Aggregator(logger: logger).refresh(url: try common.database(logger).migratedURL())
        print("spectra.layer_metrics: \(rows) rows")
    }
}
