import Foundation
import Queue
import Pipeline
import Postgres
import SpectraTestSupport
import Testing

/// Preemption mid-extract: workers SIGKILLed and SIGTERMed and restarted must end with
/// results identical to an uninterrupted run.
@Suite("Resume after preemption")
struct ResumeTests {
    static func results(_ url: String) throws -> [String: String] {
        let rows = try Connection(url: url).query(SQLQuery(
            """
            select c.revision || '/' || r.layer || '/' || r.pooling || '/' || r.matrix as key,
                   r.eigenvalues::text || ' ' || r.metrics::text as value
              from spectra.results r join spectra.checkpoints c on c.id = r.checkpoint_id
            """))
        return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode("key", as: String.self), try $0.decode("value", as: String.self)) })
    }

    static func plan(_ series: FixtureSeries, env: [String: String?]) throws {
        let planned = try SpectraExecutable.run(["plan", "--family", "local", "--model", series.directory.path, "--probe", series.probe.path,
                                                 "--samples", "48", "--max-tokens", "40", "--batch", "4", "--pooling", "last", "mean"],
                                                environment: env)
        #expect(planned.status == 0, "\(planned.stderr)")
    }

    @Test("SIGKILL and SIGTERM mid-extract, then resume: results identical to an uninterrupted run, each job completed once")
    func interruptedEqualsUninterrupted() throws {
        let series = try FixtureSeries.makeWide()
        defer { series.remove() }
        let reference = try TestSupport.migratedDatabase()
        let refEnv: [String: String?] = ["DATABASE_URL": reference, "SPECTRA_ARTIFACTS": series.directory.appendingPathComponent("ref").path]
        try Self.plan(series, env: refEnv)
        let clean = try SpectraExecutable.run(["work", "--drain"], environment: refEnv)
        #expect(clean.status == 0, "\(clean.stderr.suffix(1500))")

        let url = try TestSupport.migratedDatabase()
        let env: [String: String?] = ["DATABASE_URL": url, "SPECTRA_ARTIFACTS": series.directory.appendingPathComponent("run").path]
        try Self.plan(series, env: env)
        let work = ["work", "--lease-seconds", "3", "--progress-interval", "0", "--grace", "5", "--log-level", "info"]
        var resumed = false
        for round in 0..<6 {
            let killed = try SpectraExecutable.launch(work, environment: env, quiet: true)
            let terminated = try SpectraExecutable.launch(work, environment: env)
            Thread.sleep(forTimeInterval: 0.8 + 0.3 * Double(round % 3))
            kill(killed.processIdentifier, SIGKILL)
            kill(terminated.processIdentifier, SIGTERM)
            let out = try SpectraExecutable.collect(terminated)
            killed.waitUntilExit()
            #expect(out.status == 0, "a SIGTERMed worker exits 0 after releasing: \(out.stderr.suffix(800))")
            resumed = resumed || out.stderr.contains("resuming after")
            if try TestSupport.count("select count(*) as n from spectra.jobs where state <> 'completed'", url: url) == 0 { break }
        }
        let finish = try SpectraExecutable.run(work + ["--drain"], environment: env)
        #expect(finish.status == 0, "\(finish.stderr.suffix(1500))")
        resumed = resumed || finish.stderr.contains("resuming after")
        // Whether a preempted worker had saved a batch before its kill depends on timing:
        // on a loaded machine (the whole suite in parallel on 2 cores) the fixed sleeps can
        // preempt every worker before its first save. The equality of the results below is
        // the property that must always hold; a run without a resume is reported, not failed.
        withKnownIssue("on a loaded machine no worker may have saved a batch before it was preempted", isIntermittent: true) {
            #expect(resumed, "some extract should have resumed from saved progress")
        }
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs where state <> 'completed' or completions <> 1", url: url) == 0)

        let expected = try Self.results(reference), actual = try Self.results(url)
        #expect(expected.count == 2 * (5 * 2 + 4 * 4))
        #expect(actual.keys.sorted() == expected.keys.sorted())
        for (key, value) in expected where actual[key] != value {
            Issue.record("\(key) differs after interruption: \(actual[key]?.prefix(120) ?? "missing") vs \(value.prefix(120))")
        }
    }
}
