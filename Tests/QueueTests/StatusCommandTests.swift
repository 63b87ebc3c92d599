import Foundation
import PostgresTestSupport
import Postgres
import Testing
@testable import Queue

/// `spectra status` and `spectra jobs …` as an operator runs them, on a planned run.
@Suite struct StatusCommandTests {
    /// One kind's row of `spectra status --json` for the only run, and the run itself.
    func status(_ url: String, run: String = "s") throws -> (run: [String: Any], weights: [String: Any]) {
        let output = try SpectraProcess.run(["status", "--json", "--run", run], url: url)
        #expect(output.status == 0, "\(output.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
        let runs = json["runs"] as! [[String: Any]]
        #expect(runs.count == 1)
        let kinds = runs[0]["kinds"] as! [[String: Any]]
        return (runs[0], kinds[0])
    }

    func jobs(_ action: String, _ url: String, run: String = "s") throws -> String {
        let output = try SpectraProcess.run(["jobs", action, "--run", run], url: url)
        #expect(output.status == 0, "\(output.stderr)")
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func statusFollowsARunThroughPauseFailureRetryCancelAndCompletion() throws {
        let url = try TemporaryDatabase.create()
        let plan = try SpectraProcess.planBundledSeries(name: "s", url: url)
        #expect(plan.status == 0, "\(plan.stderr)")

        var (run, weights) = try status(url)
        #expect(run["name"] as? String == "s")
        #expect(weights["available"] as? Int == 56 && weights["completed"] as? Int == 0)
        #expect(weights["eta_seconds"] == nil, "no ETA while nothing completes")

        #expect(try jobs("pause", url) == "run s (#1): paused 56 job(s)")
        (run, weights) = try status(url)
        #expect(run["paused"] as? Bool == true && weights["paused"] as? Int == 56 && weights["available"] as? Int == 0)
        #expect(try jobs("resume", url) == "run s (#1): resumed 56 job(s)")

        // One job fails for good and one is held by a live worker: both show.
        let db = try Connection(url: url)
        let queue = JobQueue(leaseSeconds: 60)
        let claimed = try queue.claim(on: db, worker: "node7:4242/0", limit: 2)
        _ = try queue.fail(on: db, jobID: claimed[0].id, token: claimed[0].leaseToken,
                           error: "tiny-pythia step0: model.safetensors is truncated", permanent: true)
        (run, weights) = try status(url)
        #expect(weights["failed"] as? Int == 1 && weights["running"] as? Int == 1)
        #expect(run["workers"] as? Int == 1 && run["slots"] as? Int == 1)
        let failures = run["failures"] as! [[String: Any]]
        #expect(failures.first?["message"] as? String == "tiny-pythia step0: model.safetensors is truncated")
        #expect(failures.first?["count"] as? Int == 1)
        let text = try SpectraProcess.run(["status"], url: url).stdout
        #expect(text.contains("run s (#1)") && text.contains("1 × weights failed: tiny-pythia step0: model.safetensors is truncated"), "\(text)")
        #expect(text.contains("live workers: 1 process(es), 1 slot(s)"), "\(text)")

        #expect(try jobs("retry", url) == "run s (#1): retried 1 job(s)")
        #expect(try jobs("cancel", url) == "run s (#1): cancelled 56 job(s)")
        (run, weights) = try status(url)
        #expect(run["cancelled"] as? Bool == true && weights["discarded"] as? Int == 56)
        #expect(try !queue.complete(on: db, jobID: claimed[1].id, token: claimed[1].leaseToken), "the cancel fenced the running job")
        #expect(try jobs("retry", url, run: "1") == "run s (#1): retried 56 job(s)", "runs are named by id or name")

        let work = try SpectraProcess.run(["work", "--drain", "--concurrency", "2"], url: url)
        #expect(work.status == 0, "\(work.stderr)")
        (run, weights) = try status(url)
        #expect(weights["completed"] as? Int == 56 && weights["eta_seconds"] as? Double == 0)
        #expect((weights["throughput"] as? Double ?? 0) > 0)
        #expect(run["cancelled"] as? Bool == false && run["workers"] as? Int == 0)
    }

    @Test func unknownRunsAreNamed() throws {
        let url = try TemporaryDatabase.create()
        let output = try SpectraProcess.run(["jobs", "pause", "--run", "nope"], url: url)
        #expect(output.status != 0)
        #expect(output.stderr.contains("run 'nope' does not exist"), "\(output.stderr)")
        let status = try SpectraProcess.run(["status", "--run", "nope"], url: url)
        #expect(status.status != 0 && status.stderr.contains("run 'nope' does not exist"), "\(status.stderr)")
    }
}
