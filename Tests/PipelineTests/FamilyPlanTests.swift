import Foundation
import Queue
import Jobs
import Postgres
import SpectraTestSupport
import Testing
@testable import Pipeline

@Suite("Planning built-in families")
struct FamilyPlanTests {
    static func probe() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString).txt")
        try FixtureSeries.probeText.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test("the paper's grid (8 Pythia sizes × 154 revisions; OLMo-1B and 7B) plans in dry run well under 10 s")
    func paperGridDryRun() throws {
        let probe = try Self.probe()
        let start = Date()
        let sizes = ["70m", "160m", "410m", "1b", "1.4b", "2.8b", "6.9b", "12b"]
        let pythia = try SpectraExecutable.run(["plan", "--family", "pythia", "--probe", probe, "--samples", "15000",
                                                "--max-tokens", "512", "--dry-run"] + sizes.flatMap { ["--model", "pythia-\($0)"] })
        let olmo = try SpectraExecutable.run(["plan", "--family", "olmo", "--model", "olmo-1b", "--model", "olmo-7b",
                                              "--probe", probe, "--dry-run"])
        let seconds = Date().timeIntervalSince(start)
        #expect(pythia.status == 0 && olmo.status == 0, "\(pythia.stderr) \(olmo.stderr)")
        #expect(seconds < 10, "dry runs took \(seconds) s")
        #expect(pythia.stdout.contains("1232 checkpoints"), "\(pythia.stdout)")
        // Pythia: 154 revisions per size; spectrum jobs = revisions × (layers + 1) hidden states.
        let states = [6, 12, 24, 16, 24, 32, 32, 36].reduce(0) { $0 + 154 * ($1 + 1) }
        #expect(pythia.stdout.contains("spectrum  \(states) jobs"), "\(pythia.stdout)")
        #expect(olmo.stdout.contains("extract"), "\(olmo.stdout)")
    }

    @Test("a family plan names hub revisions for workers and selects steps")
    func familyPlanWritesHubArguments() throws {
        let url = try TestSupport.migratedDatabase()
        let request = PlanRequest(family: "pythia", models: ["pythia-160m"], steps: "0,1000,143000", layers: .some([0, 12]),
                                  probe: ProbeOptions(path: try Self.probe(), samples: 32, artifacts: "/shared/artifacts"))
        let summary = try Planner(logger: TestSupport.logger).plan(request, url: url)
        #expect(summary.checkpoints == 3)
        // 3 × (1 extract + 2 hidden states × 1 pooling + weights for block 0 only: 12 is past the last block).
        #expect(summary.jobsByKind == ["extract": 3, "spectrum": 6, "weights": 3])
        let db = try Connection(url: url)
        let args = try #require(try db.query(SQLQuery(
            "select args::text as a from spectra.jobs where kind = 'extract' order by id limit 1")).first).decode("a", as: String.self)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(args.utf8)) as? [String: Any])
        #expect(object["repo"] as? String == "EleutherAI/pythia-160m" && object["revision"] as? String == "step0", "\(args)")
        #expect(object["artifacts"] as? String == "/shared/artifacts" && object["checkpoint"] == nil)
        #expect(throws: PipelineError.self) {
            try Planner(logger: TestSupport.logger).plan(PlanRequest(family: "olmo", models: ["pythia-160m"]), url: url)
        }
    }
}
