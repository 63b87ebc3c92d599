import ArgumentParser
import Pipeline

/// `spectra aggregate`: refresh the views.
struct Aggregate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Refresh the materialized views: layer_metrics, family_curves, phase_boundaries, family_comparison, variant_comparison.")

    @OptionGroup var common: CommonOptions

    func run() throws {
        let logger = common.logger("spectra.aggregate")
        for (view, rows) in try Aggregator(logger: logger).refreshAll(url: try common.database(logger).migratedURL()) {
            print("spectra.\(view): \(rows) rows")
        }
    }
}
