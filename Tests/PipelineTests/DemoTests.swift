import Foundation
import SpectraTestSupport
import Testing

/// `spectra demo` exactly as the README's first command runs it, on its own embedded
/// server in a temporary directory (DATABASE_URL removed), then queried with psql.
@Suite struct DemoTests {
    @Test func demoRunsEndToEndOnTheEmbeddedServer() throws {
        let fm = FileManager.default
        let home = fm.temporaryDirectory.appendingPathComponent("spectra-demo-\(UUID().uuidString.prefix(8))")
        try fm.createDirectory(at: home, withIntermediateDirectories: true)
        // Root runs the server as `postgres`, which must be able to enter the directory.
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: home.path)
        let dataDir = home.appendingPathComponent("pg").path
        let env: [String: String?] = ["DATABASE_URL": nil, "SPECTRA_LOG_LEVEL": "warning"]
        defer {
            _ = try? SpectraExecutable.run(["db", "stop", "--data-dir", dataDir], environment: env)
            try? fm.removeItem(at: home)
        }

        // The bundled series and probe, found from the repository as a user's checkout would.
        let demo = try SpectraExecutable.run(["demo", "--data-dir", dataDir], environment: env,
                                             directory: SpectraExecutable.repositoryRoot)
        #expect(demo.status == 0, "demo failed: \(demo.stderr)")
        #expect(demo.stdout.contains("0 failed"), "\(demo.stdout)")
        #expect(demo.stdout.contains("tiny-pythia") && demo.stdout.contains("tiny-olmo"))
        let report = home.appendingPathComponent("report/index.html")
        #expect(demo.stdout.contains("Report: \(report.path)"), "\(demo.stdout)")
        #expect(fm.fileExists(atPath: report.path))

        let url = try SpectraExecutable.run(["db", "url", "--data-dir", dataDir], environment: env)
        #expect(url.status == 0)
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = [url.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "-tAc", "select count(*) from spectra.phase_boundaries where entropy_peak_tokens is not null"]
        let pipe = Pipe()
        psql.standardOutput = pipe
        try psql.run()
        let count = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        psql.waitUntilExit()
        #expect(psql.terminationStatus == 0)
        #expect((Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0, "phase_boundaries count: \(count)")

        // The bundled lineage: its four stages in order, each with RankMe and weight rows.
        let stages = try Self.psql(url.stdout, "select string_agg(stage, ',' order by position) from spectra.variant_comparison where metric = 'rankme' and source = 'representation' and pooling = 'last' and depth_bin = 1")
        #expect(stages == "base,SFT,DPO,RLVR", "variant_comparison stages: \(stages)")
        let weightRows = try Self.psql(url.stdout, "select count(distinct position) from spectra.variant_comparison where source = 'weights' and metric = 'powerlaw_alpha' and delta is not null")
        #expect(weightRows == "4")
        #expect(demo.stdout.contains("Post-training lineage tiny-olmo") && demo.stdout.contains("3 RLVR"), "\(demo.stdout)")
        #expect(try String(contentsOf: report, encoding: .utf8).contains("Lineage tiny-olmo"))

        let status = try SpectraExecutable.run(["db", "status", "--data-dir", dataDir], environment: env)
        #expect(status.status == 0 && status.stdout.contains("running"))
    }

    static func psql(_ url: String, _ sql: String) throws -> String {
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = [url.trimmingCharacters(in: .whitespacesAndNewlines), "-tAc", sql]
        let pipe = Pipe()
        psql.standardOutput = pipe
        try psql.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        psql.waitUntilExit()
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
