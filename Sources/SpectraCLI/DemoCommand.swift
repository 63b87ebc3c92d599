import ArgumentParser
import Jobs
import Pipeline

/// `spectra demo`: everything, end to end, on the bundled series.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole pipeline on the bundled tiny Pythia-like and OLMo-like series: plan, extract, spectra, weights, aggregate, report.")

    @Option(help: "A checkpoint series directory (catalog.json) instead of the bundled ones. Repeatable.")
    var series: [String] = []

    @Option(help: "Probe text instead of the bundled examples/probe.txt.")
    var probe: String?

    @Option(help: "A lineage to plan with the series (a built-in name or a lineage file); default: the bundled examples/tiny-olmo-lineage.json with the bundled series.")
    var lineage: String?

    @Option(help: "Probe sequences per checkpoint.")
    var samples: Int = 256

    @Option(help: "Worker threads.")
    var concurrency: Int = 2

    @OptionGroup var common: CommonOptions

    func validate() throws {
        try checkRange(concurrency, OptionLimits.concurrency, "--concurrency")
        try checkRange(samples, OptionLimits.samples, "--samples")
    }

    func run() throws {
        let logger = common.logger("spectra.demo", defaultLevel: .warning)
        var demo = Pipeline.Demo(database: common.database(logger), series: series, probe: probe)
        demo.concurrency = concurrency
        demo.samples = samples
        demo.lineage = lineage
        let report = try demo.run(progress: { print($0) }, logger: logger)
        print()
        print(report.render(executable: CommandLine.arguments.first ?? "spectra"))
    }
}
