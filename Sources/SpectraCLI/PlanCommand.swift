import ArgumentParser
import Pipeline

/// `spectra plan`: write a run and its jobs.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan a run: its checkpoints and one job per checkpoint × layer (idempotent).")

    @Option(help: "Model family. 'local': each --model is a directory of revisions with catalog.json.")
    var family: String = "local"

    @Option(name: .customLong("model"), help: "A model (for --family local, its series directory). Repeatable.")
    var models: [String] = []

    @Option(help: "Layers: all, or indices and ranges such as 0,2,4-7.")
    var layers: String = "all"

    @Option(help: "Run name (default: derived from the configuration, so replanning finds the same run).")
    var name: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard family == "local" else {
            throw ValidationError("--family \(family): this version plans only 'local' series (a directory of revisions with catalog.json)")
        }
        guard !models.isEmpty else { throw ValidationError("--model: name at least one series directory") }
        _ = try LayerSelection(parsing: layers)
    }

    func run() throws {
        let logger = common.logger("spectra.plan")
        let url = try common.database(logger).migratedURL()
        let request = PlanRequest(family: family, models: models, layers: try LayerSelection(parsing: layers), runName: name)
        let summary = try Planner(logger: logger).plan(request, url: url)
        print("run \(summary.runName) (#\(summary.runID)): \(summary.checkpoints) checkpoints, \(summary.jobsTotal) jobs, \(summary.jobsCreated) new")
    }
}
