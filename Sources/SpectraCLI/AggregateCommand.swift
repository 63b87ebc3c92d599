import ArgumentParser
import Pipeline

/// `spectra aggregate`: bring the views up to date with the results.
struct Aggregate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring the views up to date: layer_metrics, family_curves, phase_boundaries, family_comparison, variant_comparison (only what new results touch; readers never wait).")

    @Flag(help: "Recompute every run and checkpoint, not only those whose results changed.")
    var full = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        let logger = common.logger("spectra.aggregate")
        for (view, rows) in try Aggregator(logger: logger).refreshAll(url: try common.database(logger).migratedURL(), full: full) {
            print("spectra.\(view): \(rows) rows")
        }
    }
}
