import ArgumentParser
import Pipeline
import Report

/// `spectra report`: an HTML page with SVG plots of one run.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report (SVG plots) of a run: RankMe and α-ReQ over tokens, heatmaps, phases, weight α.")

    @Option(name: .customLong("run"), help: "The run (its id or name).")
    var runID: String

    @Option(help: "Directory for index.html.")
    var out: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        let logger = common.logger("spectra.report", defaultLevel: .warning)
        let path = try Report.write(url: try common.database(logger).migratedURL(), run: runID, to: out)
        print(path)
    }
}
