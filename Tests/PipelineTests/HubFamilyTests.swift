import Foundation
import Pipeline
import Postgres
import SpectraTestSupport
import Testing

/// A repository with no built-in catalog, planned from its branches, fetched and run by
/// workers end to end against tools/hf_test_server.py (the bundled tiny-pythia served as
/// someorg/tiny-run; no real Hub is contacted).
@Suite("Any Hub repository", .serialized)
struct HubFamilyTests {
    @Test("plan --family hub, fetch, work: every job completes, tokens from --tokens-per-step")
    func plansFetchesAndRunsABranchListing() throws {
        let server = try HubTestServer(["--alias", "someorg/tiny-run=spectra/tiny-pythia"])
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-hubfamily-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let url = try TestSupport.migratedDatabase()
        let env: [String: String?] = [
            "DATABASE_URL": url, "HF_ENDPOINT": server.endpoint, "HF_TOKEN": nil,
            "HF_HUB_CACHE": scratch.appendingPathComponent("hub").path,
            "SPECTRA_ARTIFACTS": scratch.appendingPathComponent("artifacts").path,
        ]
        let probe = SpectraExecutable.repositoryRoot.appendingPathComponent("examples/probe.txt").path
        let selection = ["--model", "someorg/tiny-run", "--steps", "log:3", "--tokens-per-step", "2048"]
        let planned = try SpectraExecutable.run(["plan", "--family", "hub"] + selection
            + ["--probe", probe, "--samples", "24", "--max-tokens", "16", "--layers", "0,4"], environment: env)
        #expect(planned.status == 0, "\(planned.stderr)")
        // 3 revisions × (1 extract + 2 hidden states + weight block 0; there is no block 4).
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs", url: url) == 3 * 4)
        #expect(try TestSupport.count(
            "select count(*) as n from spectra.checkpoints where tokens_seen = step * 2048 and location like 'hf://someorg/tiny-run@step%'",
            url: url) == 3)

        let fetched = try SpectraExecutable.run(["fetch"] + selection, environment: env)
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(fetched.stdout.contains("3 of 14 branches"), "\(fetched.stdout)")

        let work = try SpectraExecutable.run(["work", "--drain"], environment: env)
        #expect(work.status == 0, "\(work.stderr.suffix(2000))")
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs where state <> 'completed'", url: url) == 0)
        #expect(try TestSupport.count("select count(*) as n from spectra.results where source = 'representation'", url: url) == 6)
    }

    @Test("ORG/NAME@REVISION plans one checkpoint; a missing repository is named")
    func oneRevisionAndErrors() throws {
        let server = try HubTestServer(["--alias", "someorg/tiny-run=spectra/tiny-pythia"])
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-hubone-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let env: [String: String?] = ["HF_ENDPOINT": server.endpoint, "HF_HUB_CACHE": scratch.path, "HF_TOKEN": nil]
        let one = try SpectraExecutable.run(["plan", "--family", "hub", "--model", "someorg/tiny-run@step512", "--dry-run"], environment: env)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("1 checkpoints"), "\(one.stdout)")
        let missing = try SpectraExecutable.run(["plan", "--family", "hub", "--model", "someorg/absent", "--dry-run"], environment: env)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("someorg/absent") && missing.stderr.contains("no such repository"), "\(missing.stderr)")
    }
}
