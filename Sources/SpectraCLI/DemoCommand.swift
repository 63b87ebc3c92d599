import ArgumentParser
import Pipeline

/// `spectra demo`: everything, end to end, on the bundled series.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole pipeline on the bundled checkpoint series and print a summary and SQL to try.")

    @Option(help: "A checkpoint series directory to use instead of the bundled examples/tiny-pythia.")
    var series: String?

    @Option(help: "Worker threads.")
    var concurrency: Int = 2

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() throws {
        let logger = common.logger("spectra.demo", defaultLevel: .warning)
        var demo = Pipeline.Demo(database: common.database(logger), seriesDirectory: series)
        demo.concurrency = concurrency
        let report = try demo.run(progress: { print($0) }, logger: logger)
        print()
        print(report.render(executable: CommandLine.arguments.first ?? "spectra"))
    }
}
