import Foundation
import PostgresTestSupport
import Postgres
import Testing

/// The promise to the researcher, tested the way clusters break it: worker processes
/// SIGKILLed and SIGTERMed every few hundred milliseconds and restarted, and PostgreSQL
/// restarted in the middle. At the end every job is completed exactly once.
@Suite(.serialized) struct ChaosTests {
    static let runs = 11          // × 56 jobs of the bundled series = 616 jobs
    static let fleetSize = 6
    static let leaseSeconds = "3" // short, so SIGKILLed workers' jobs come back quickly

    @Test(.timeLimit(.minutes(4)))
    func killedWorkersAndARestartedServerLoseAndDuplicateNothing() throws {
        let started = Date()
        let server = try TemporaryServer()
        defer { server.remove() }
        let url = server.url
        for run in 0..<Self.runs {
            let plan = try SpectraProcess.planBundledSeries(name: "chaos-\(run)", url: url)
            try #require(plan.status == 0, "planning failed: \(plan.stderr)")
        }
        let monitor = Monitor(url: url)
        let jobs = try monitor.count("select count(*) as n from spectra.jobs")
        #expect(jobs >= 500)

        var fleet = Fleet(url: url)
        for _ in 0..<Self.fleetSize { try fleet.start() }
        var restartedServer = false
        let chaosDeadline = Date().addingTimeInterval(75)
        // Chaos until most of the work is done (and the server has restarted once).
        while Date() < chaosDeadline {
            Thread.sleep(forTimeInterval: Double.random(in: 0.15...0.45))
            let completed = (try? monitor.count("select count(*) as n from spectra.jobs where state = 'completed'")) ?? 0
            if !restartedServer, completed >= jobs / 3 {
                fleet.serverDown = true
                let down = Date()
                try server.restart()
                fleet.outages.append((down, Date()))
                fleet.serverDown = false
                restartedServer = true
                continue
            }
            if restartedServer, completed >= jobs * 85 / 100 { break }
            try fleet.strikeOne()
        }
        #expect(restartedServer, "the server restart happened during the chaos")

        // Calm: fresh draining workers finish what is left; every worker left must exit.
        fleet.terminateAll()
        for _ in 0..<3 { try fleet.start() }
        let calmDeadline = Date().addingTimeInterval(90)
        while fleet.anyRunning, Date() < calmDeadline { Thread.sleep(forTimeInterval: 0.25) }
        #expect(!fleet.anyRunning, "draining workers did not finish within 90 s")
        fleet.killAll()

        #expect(fleet.sigkills >= 5 && fleet.sigterms >= 5, "chaos struck \(fleet.sigkills) SIGKILLs, \(fleet.sigterms) SIGTERMs")
        #expect(fleet.crashes.isEmpty, "workers must ride out a lost server, not exit: \(fleet.crashes)")
        #expect(fleet.badTermExits.isEmpty, "SIGTERMed workers must release and exit 0: \(fleet.badTermExits)")
        #expect(try monitor.count("select count(*) as n from spectra.jobs where state <> 'completed'") == 0)
        #expect(try monitor.count("select count(*) as n from spectra.jobs where lease_expires_at is not null") == 0,
                "no job left holding a lease")
        // The audit: one committed completion transaction per job, none twice.
        #expect(try monitor.count("select sum(completions)::int as n from spectra.jobs") == jobs)
        #expect(try monitor.count("select count(*) as n from spectra.jobs where completions <> 1") == 0)
        // Exactly one result set per job: four matrices per GPT-NeoX block, all from that job.
        #expect(try monitor.count("select count(*) as n from spectra.results") == jobs * 4)
        #expect(try monitor.count("""
            select count(*) as n from spectra.jobs j
             where (select count(*) from spectra.results r
                     where r.job_id = j.id and r.run_id = j.run_id and r.checkpoint_id = j.checkpoint_id and r.layer = j.layer) <> 4
            """) == 0)
        // What `spectra status` reads (spectra.job_counts, 0020) agrees with the jobs.
        #expect(try monitor.count(JobCountsTests.mismatches) == 0, "status counters differ from the jobs")
        let retried = try monitor.count("select count(*) as n from spectra.jobs where attempt > 1")
        print("chaos: \(jobs) jobs, \(fleet.launched) worker processes, \(fleet.sigkills) SIGKILL, \(fleet.sigterms) SIGTERM, "
              + "\(retried) jobs re-run after a lost lease, \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}

/// Reads counts, reconnecting across the server restart.
final class Monitor {
    let url: String
    var connection: Connection?

    init(url: String) { self.url = url }

    func count(_ sql: String) throws -> Int {
        for attempt in 1...20 {
            do {
                let db = try connection.flatMap { $0.isHealthy ? $0 : nil } ?? Connection(url: url, connectTimeout: 2)
                connection = db
                return try db.query(SQLQuery("\(unsafeRaw: sql)")).first?.decode("n", as: Int.self) ?? -1
            } catch {
                connection = nil
                if attempt == 20 { throw error }
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
        return -1
    }
}

/// The worker processes and what was done to them.
struct Fleet {
    struct Member {
        let process: Process
        let startedAt: Date
        /// Started while the server was down: its startup may fail, which is not the point.
        let bornInOutage: Bool
    }

    let url: String
    var members: [Member] = []
    var serverDown = false
    var launched = 0, sigkills = 0, sigterms = 0
    var terminated: [Member] = []
    var badTermExits: [String] = []
    var crashes: [String] = []
    var outages: [(start: Date, end: Date)] = []

    init(url: String) { self.url = url }

    var anyRunning: Bool { members.contains { $0.process.isRunning } }

    mutating func start() throws {
        // Every other worker claims in batches of 4, so jobs also wait their turn under a lease.
        let process = try SpectraProcess.launch(
            ["work", "--drain", "--concurrency", "2", "--batch", launched % 2 == 0 ? "1" : "4",
             "--lease-seconds", ChaosTests.leaseSeconds, "--grace", "2"],
            url: url, quiet: true)
        members.append(Member(process: process, startedAt: Date(), bornInOutage: serverDown))
        launched += 1
    }

    /// SIGKILLs or SIGTERMs one random worker and starts a replacement; also replaces
    /// workers that exited on their own, noting those that crashed.
    mutating func strikeOne() throws {
        collectTerminated()
        for member in members where !member.process.isRunning {
            let excused = outages.contains { member.startedAt > $0.start.addingTimeInterval(-3) && member.startedAt < $0.end }
            if member.process.terminationStatus != 0 && !excused {
                crashes.append("pid \(member.process.processIdentifier) exited \(member.process.terminationStatus) on its own")
            }
        }
        members.removeAll { !$0.process.isRunning }
        while members.count < ChaosTests.fleetSize { try start() }
        let victim = members.randomElement()!
        // SIGTERM only once the worker has surely installed its signal handler.
        if Bool.random(), Date().timeIntervalSince(victim.startedAt) > 1, !victim.bornInOutage {
            victim.process.terminate()
            sigterms += 1
            terminated.append(victim)
        } else {
            kill(victim.process.processIdentifier, SIGKILL)
            sigkills += 1
        }
        members.removeAll { $0.process === victim.process }
        try start()
    }

    /// Records how the SIGTERMed workers that have exited ended.
    mutating func collectTerminated() {
        for member in terminated where !member.process.isRunning {
            if member.process.terminationReason != .exit || member.process.terminationStatus != 0 {
                badTermExits.append("pid \(member.process.processIdentifier): \(member.process.terminationReason == .exit ? "exit" : "signal") \(member.process.terminationStatus)")
            }
        }
        terminated.removeAll { !$0.process.isRunning }
    }

    mutating func terminateAll() {
        for member in members where member.process.isRunning {
            if Date().timeIntervalSince(member.startedAt) > 1 {
                member.process.terminate()
                sigterms += 1
                terminated.append(member)
            } else {
                kill(member.process.processIdentifier, SIGKILL)
                sigkills += 1
            }
        }
        let deadline = Date().addingTimeInterval(10)
        while terminated.contains(where: { $0.process.isRunning }), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        collectTerminated()
        members.removeAll()
    }

    mutating func killAll() {
        for member in members + terminated where member.process.isRunning { kill(member.process.processIdentifier, SIGKILL) }
    }
}
