import Foundation
import Logging
import Postgres
import Queue

/// `spectra demo`: the whole pipeline on the bundled checkpoint series.
public struct Demo: Sendable {
    public var database: Database
    /// The bundled series; found under `examples/` when not given.
    public var seriesDirectory: String?
    public var concurrency: Int = 2

    public init(database: Database, seriesDirectory: String? = nil) {
        self.database = database
        self.seriesDirectory = seriesDirectory
    }

    /// Runs plan → work → aggregate, reporting each step through `progress`, and returns
    /// the summary to print.
    public func run(progress: (String) -> Void, logger: Logger) throws -> DemoReport {
        let started = Date()
        let series = try seriesDirectory ?? Self.findBundledSeries()
        progress(database.externalURL == nil
            ? "Starting the embedded PostgreSQL under \(database.dataDirectory.path) …"
            : "Using the server in DATABASE_URL …")
        let url = try database.migratedURL()
        progress("Schema migrated. Planning the series in \(series) …")
        let plan = try Planner(logger: logger).plan(PlanRequest(family: "local", models: [series]), url: url)
        progress("Run \(plan.runName) (#\(plan.runID)): \(plan.checkpoints) checkpoints, \(plan.jobsTotal) weights jobs (\(plan.jobsCreated) new).")

        var options = WorkerOptions(databaseURL: url)
        options.concurrency = concurrency
        options.drain = true
        options.pollSeconds = 0.2
        let summary = try Worker.run(options: options, logger: logger)
        progress("Workers done: \(summary.completed) completed, \(summary.failed) failed, \(summary.released) released.")

        let rows = try Aggregator(logger: logger).refresh(url: url)
        progress("spectra.layer_metrics refreshed: \(rows) rows in all.")
        let table = try DemoReport.loadTable(url: url, runID: plan.runID)
        return DemoReport(plan: plan, worker: summary, table: table, url: url,
                          seconds: Date().timeIntervalSince(started), synthetic: Self.isSynthetic(series))
    }

    /// `examples/tiny-pythia` under the current directory or the executable's repository.
    static func findBundledSeries() throws -> String {
        var candidates = [URL(fileURLWithPath: "examples/tiny-pythia")]
        var ancestor = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(ancestor.appendingPathComponent("examples/tiny-pythia"))
            candidates.append(ancestor.appendingPathComponent("share/spectra/examples/tiny-pythia"))
            ancestor = ancestor.deletingLastPathComponent()
        }
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("catalog.json").path) {
            return candidate.standardizedFileURL.path
        }
        throw PipelineError(.notFound, "cannot find the bundled series examples/tiny-pythia (looked in \(candidates.map(\.path).joined(separator: ", "))); pass --series DIR")
    }

    /// The bundled series says in its README whether its weights are synthetic.
    static func isSynthetic(_ series: String) -> Bool {
        let readme = (try? String(contentsOfFile: series + "/README.md", encoding: .utf8)) ?? ""
        return readme.lowercased().contains("synthetic")
    }
}
