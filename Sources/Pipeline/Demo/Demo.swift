import Report
import Jobs
import Foundation
import Logging
import Postgres
import Queue

/// `spectra demo`: the whole pipeline — plan, extract, spectrum, weights, aggregate,
/// report — on the bundled tiny Pythia-like and OLMo-like series and the bundled probe.
public struct Demo: Sendable {
    public var database: Database
    /// Series directories (catalog.json); the bundled two when empty.
    public var series: [String]
    public var probe: String?
    /// A lineage to plan with the series; the bundled tiny-olmo lineage when nil and the series are the bundled ones.
    public var lineage: String?
    public var samples = 256
    public var maxTokens = 64
    public var concurrency = 2

    public init(database: Database, series: [String] = [], probe: String? = nil) {
        self.database = database
        self.series = series
        self.probe = probe
    }

    /// The directory beside the embedded database (`.spectra/`) that holds artifacts and the report.
    var stateDirectory: URL { database.dataDirectory.deletingLastPathComponent() }

    /// Runs plan → work → aggregate → report, telling `progress` each step, and returns
    /// the summary to print.
    public func run(progress: (String) -> Void, logger: Logger) throws -> DemoReport {
        let started = Date()
        let examples = try Self.findExamples()
        let series = self.series.isEmpty ? ["tiny-pythia", "tiny-olmo"].map { examples.appendingPathComponent($0).path } : self.series
        let probe = self.probe ?? examples.appendingPathComponent("probe.txt").path
        progress(database.externalURL == nil
            ? "Starting the embedded PostgreSQL under \(database.dataDirectory.path) …"
            : "Using the server in DATABASE_URL …")
        let url = try database.migratedURL()
        let artifacts = stateDirectory.appendingPathComponent("artifacts").path
        // The bundled post-training lineage rides along with the bundled series (its base is
        // tiny-olmo's last revision, so it adds three checkpoints).
        let lineageFile = examples.appendingPathComponent("tiny-olmo-lineage.json")
        let lineage = lineage ?? (self.series.isEmpty ? lineageFile.path : nil)
        let request = PlanRequest(family: "local", models: series,
                                  probe: ProbeOptions(path: probe, samples: samples, maxTokens: maxTokens,
                                                      poolings: [.last], artifacts: artifacts),
                                  lineage: lineage)
        let plan = try Planner(logger: logger).plan(request, url: url)
        let kinds = plan.jobsByKind.keys.sorted().map { "\(plan.jobsByKind[$0] ?? 0) \($0)" }.joined(separator: ", ")
        progress("Planned run \(plan.runName) (#\(plan.runID)): \(plan.checkpoints) checkpoints of \(plan.models.joined(separator: " and ")); \(kinds) jobs (\(plan.jobsCreated) new).")

        var options = WorkerOptions(databaseURL: url)
        options.concurrency = concurrency
        options.drain = true
        options.pollSeconds = 0.2
        let workStart = Date()
        let summary = try Worker.run(options: options, logger: logger)
        progress(String(format: "Workers done in %.1f s: %d completed, %d failed, %d released.",
                        Date().timeIntervalSince(workStart), summary.completed, summary.failed, summary.released))

        let counts = try Aggregator(logger: logger).refreshAll(url: url)
        progress("Views refreshed: " + counts.map { "spectra.\($0.view) \($0.rows) rows" }.joined(separator: ", ") + ".")
        let report = try Report.write(url: url, run: "\(plan.runID)", to: stateDirectory.appendingPathComponent("report").path)
        progress("Report written: \(report)")
        return DemoReport(plan: plan, worker: summary, curves: try DemoReport.loadCurves(url: url, runID: plan.runID),
                          stages: try DemoReport.loadStages(url: url, runID: plan.runID),
                          url: url, reportPath: report, seconds: Date().timeIntervalSince(started))
    }

    /// `examples/` under the current directory or the executable's repository (or an
    /// installed `share/spectra/examples`).
    static func findExamples() throws -> URL {
        var candidates = [URL(fileURLWithPath: "examples")]
        var ancestor = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(ancestor.appendingPathComponent("examples"))
            candidates.append(ancestor.appendingPathComponent("share/spectra/examples"))
            ancestor = ancestor.deletingLastPathComponent()
        }
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("tiny-pythia/catalog.json").path) {
            return candidate.standardizedFileURL
        }
        throw PipelineError(.notFound,
            "cannot find the bundled examples (tiny-pythia, tiny-olmo, probe.txt) in \(candidates.map(\.path).joined(separator: ", ")); pass --series and --probe")
    }
}
