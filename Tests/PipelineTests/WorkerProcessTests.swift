import Foundation
import Queue
import Postgres
import SpectraTestSupport
import Testing
@testable import Pipeline

/// Workers as a researcher runs them: separate `spectra work` processes on one database.
@Suite(.serialized) struct WorkerProcessTests {
    @Test func fourWorkersCompleteEveryJobExactlyOnce() throws {
        let url = try TestSupport.migratedDatabase()
        let plan = try Planner(logger: TestSupport.logger).plan(
            PlanRequest(family: "local", models: [SpectraExecutable.bundledSeries.path]), url: url)
        let env: [String: String?] = ["DATABASE_URL": url, "SPECTRA_LOG_LEVEL": "warning"]
        let workers = try (0..<4).map { _ in
            try SpectraExecutable.launch(["work", "--drain", "--lease-seconds", "30"], environment: env)
        }
        let outputs = try workers.map { try SpectraExecutable.collect($0) }
        for output in outputs { #expect(output.status == 0, "worker failed: \(output.stderr)") }

        #expect(try TestSupport.count("select count(*) as n from spectra.jobs where state = 'completed'", url: url) == plan.jobsTotal)
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs where state <> 'completed'", url: url) == 0)
        // Four matrices per GPT-NeoX block, each exactly once per job.
        #expect(try TestSupport.count("select count(*) as n from spectra.results", url: url) == plan.jobsTotal * 4)
        #expect(try TestSupport.count(
            "select count(*) as n from (select job_id from spectra.results group by job_id having count(*) <> 4) t", url: url) == 0)
        // The work was shared: every completion is reported by exactly one worker.
        let completed = outputs.compactMap { output in
            output.stdout.split(separator: " ").dropFirst().first.flatMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }
        }
        #expect(completed.reduce(0, +) == plan.jobsTotal, "workers reported \(completed)")
    }

    @Test func badCheckpointFailsOnlyItsOwnJobsWithTheFileNamed() throws {
        let fm = FileManager.default
        // The catalog reads its revisions from ../hub, so both are copied side by side.
        let home = fm.temporaryDirectory.appendingPathComponent("spectra-bad-series-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: home) }
        try fm.createDirectory(at: home, withIntermediateDirectories: true)
        let series = home.appendingPathComponent("tiny-pythia")
        try fm.copyItem(at: SpectraExecutable.bundledSeries, to: series)
        try fm.copyItem(at: SpectraExecutable.bundledSeries.deletingLastPathComponent().appendingPathComponent("hub"),
                        to: home.appendingPathComponent("hub"))
        let catalog = try JSONSerialization.jsonObject(with: Data(contentsOf: series.appendingPathComponent("catalog.json"))) as! [String: Any]
        let revisions = catalog["revisions"] as! [[String: Any]]
        let broken = revisions[revisions.count / 2]["name"] as! String
        let commit = try String(contentsOf: home.appendingPathComponent("hub/models--spectra--tiny-pythia/refs/\(broken)"), encoding: .utf8)
        let weights = home.appendingPathComponent("hub/models--spectra--tiny-pythia/snapshots/\(commit)/model.safetensors")
        let bytes = try Data(contentsOf: weights)
        try fm.removeItem(at: weights)  // the link, not the blob it points to
        try bytes.prefix(bytes.count / 2).write(to: weights)

        let url = try TestSupport.migratedDatabase()
        let plan = try Planner(logger: TestSupport.logger).plan(PlanRequest(family: "local", models: [series.path]), url: url)
        let output = try SpectraExecutable.run(["work", "--drain", "--concurrency", "2"],
                                             environment: ["DATABASE_URL": url, "SPECTRA_LOG_LEVEL": "critical"])
        #expect(output.status == 0, "the worker must survive a bad job: \(output.stderr)")

        let layers = try TestSupport.count("select max(num_layers) as n from spectra.models", url: url)
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs where state = 'failed'", url: url) == layers)
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs where state = 'completed'", url: url) == plan.jobsTotal - layers)
        let db = try Postgres.Connection(url: url)
        let errors = try db.query(Postgres.SQLQuery("select distinct last_error from spectra.jobs where state = 'failed'"))
        #expect(errors.count == 1)
        let message = try errors.first?.decode("last_error", as: String.self) ?? ""
        #expect(message.contains(broken), "the error names the revision: \(message)")
        #expect(message.contains("model.safetensors"), "the error names the file: \(message)")
    }
}
