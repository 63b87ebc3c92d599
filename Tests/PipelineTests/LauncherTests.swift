import Foundation
import Queue
import Jobs
import SpectraTestSupport
import Testing
@testable import Pipeline

/// `spectra launch` as a node operator runs it: real worker processes, real signals.
@Suite(.serialized) struct LauncherTests {
    @Test func backoffDoublesThenGivesUpAndHealthyRunsReset() {
        var policy = RestartPolicy()
        policy.maximumConsecutiveCrashes = 4
        var crashes = 0
        let quick = (0..<5).map { _ in policy.decide(exitedCleanly: false, uptime: 0.1, consecutiveCrashes: &crashes) }
        #expect(quick.prefix(4) == [.restart(delay: 1), .restart(delay: 2), .restart(delay: 4), .restart(delay: 8)])
        guard case .giveUp = quick[4] else { Issue.record("a fifth quick crash must give up, got \(quick[4])"); return }
        crashes = 3
        #expect(policy.decide(exitedCleanly: false, uptime: 120, consecutiveCrashes: &crashes) == .restart(delay: 1))
        #expect(policy.decide(exitedCleanly: true, uptime: 0.1, consecutiveCrashes: &crashes) == .finished)
        #expect(crashes == 0)
        var capped = RestartPolicy()
        capped.maximumConsecutiveCrashes = 100
        crashes = 20
        #expect(capped.decide(exitedCleanly: false, uptime: 0, consecutiveCrashes: &crashes) == .restart(delay: 60))
    }

    /// A SIGKILLed worker is started again under a new name; SIGTERM to the launcher
    /// drains every worker (each releases what it holds) and the launcher exits 0.
    @Test func killedWorkerIsRestartedAndSigtermDrainsAll() throws {
        let url = try TestSupport.migratedDatabase()
        // No jobs: the workers poll, so they live until told to stop.
        let launcher = try SpectraExecutable.launch(
            ["launch", "--workers", "2", "--name", "node", "--grace", "2", "--lease-seconds", "6"],
            environment: ["DATABASE_URL": url, "SPECTRA_LOG_LEVEL": "info"])
        defer { if launcher.isRunning { kill(launcher.processIdentifier, SIGKILL) } }
        let first = try waitForChildren(of: launcher.processIdentifier, count: 2)
        let victim = first[0]
        kill(victim.pid, SIGKILL)
        // Backoff starts at 1 s; allow slack for a loaded machine.
        let second = try waitForChildren(of: launcher.processIdentifier, count: 2, excluding: [victim.pid], timeout: 20)
        let replacement = try #require(second.first { $0.pid != first[1].pid })
        #expect(replacement.arguments.contains(victim.name + ".r1"),
                "the restarted worker is named after the one it replaces: \(replacement.arguments)")

        kill(launcher.processIdentifier, SIGTERM)
        let output = try SpectraExecutable.collect(launcher)
        #expect(output.status == 0, "launcher: \(output.stderr)")
        #expect(output.stderr.contains("forwarding SIGTERM to 2 worker(s)"), "\(output.stderr)")
        #expect(output.stderr.contains("restarting in 1.0 s"), "\(output.stderr)")
        #expect(try children(of: launcher.processIdentifier).isEmpty, "no worker outlives the launcher")
    }

    /// Workers on a real run, told to stop part-way: nothing is left running, and a
    /// second launch finishes the run with every job completed exactly once.
    @Test func sigtermMidRunReleasesAndRelaunchFinishes() throws {
        let url = try TestSupport.migratedDatabase()
        let plan = try Planner(logger: TestSupport.logger).plan(
            PlanRequest(family: "local", models: [SpectraExecutable.bundledSeries.path]), url: url)
        let env: [String: String?] = ["DATABASE_URL": url, "SPECTRA_LOG_LEVEL": "warning"]
        let launcher = try SpectraExecutable.launch(["launch", "--workers", "2", "--drain", "--grace", "5"], environment: env)
        _ = try waitForChildren(of: launcher.processIdentifier, count: 2)
        Thread.sleep(forTimeInterval: 0.5)
        kill(launcher.processIdentifier, SIGTERM)
        let stopped = try SpectraExecutable.collect(launcher)
        #expect(stopped.status == 0, "launcher: \(stopped.stderr)")
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs where state = 'running'", url: url) == 0)

        let rest = try SpectraExecutable.run(["launch", "--workers", "2", "--drain"], environment: env)
        #expect(rest.status == 0, "second launch: \(rest.stderr)")
        #expect(try TestSupport.count("select count(*) as n from spectra.jobs where state = 'completed' and completions = 1", url: url)
                == plan.jobsTotal)
    }

    /// What the Kubernetes Indexed Job relies on: a worker stopped by SIGTERM before it
    /// drained exits with the status it was given, so its pod is not counted done.
    @Test func interruptedWorkerExitsWithTheRequestedStatus() throws {
        let url = try TestSupport.migratedDatabase()
        // Planned first: an empty queue would drain at once.
        let plan = try Planner(logger: TestSupport.logger).plan(
            PlanRequest(family: "local", models: [SpectraExecutable.bundledSeries.path]), url: url)
        let worker = try SpectraExecutable.launch(["work", "--drain", "--grace", "1", "--interrupted-exit-code", "143"],
                                                  environment: ["DATABASE_URL": url, "SPECTRA_LOG_LEVEL": "info"])
        Thread.sleep(forTimeInterval: 1)
        kill(worker.processIdentifier, SIGTERM)
        let output = try SpectraExecutable.collect(worker)
        if output.stdout.contains("completed \(plan.jobsTotal),") {
            Issue.record("the worker drained before the signal; the test did not exercise an interruption")
        } else {
            #expect(output.status == 143, "\(output.stderr)")
        }
    }

    @Test func badWorkOptionsAreRefusedBeforeAnyWorkerStarts() throws {
        let output = try SpectraExecutable.run(["launch", "--workers", "2", "--kinds", "nonsense"])
        #expect(output.status != 0)
        #expect(output.stderr.contains("nonsense"), "\(output.stderr)")
    }

    struct Child: Equatable {
        var pid: Int32
        var arguments: [String]
        var name: String { arguments.last ?? "" }
    }

    /// Live (not zombie) children of `parent`, read from /proc.
    func children(of parent: Int32) throws -> [Child] {
        let entries = try FileManager.default.contentsOfDirectory(atPath: "/proc")
        return entries.compactMap { entry -> Child? in
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", Int32(fields[1]) == parent,
                  let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")) else { return nil }
            return Child(pid: pid, arguments: cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
        }.sorted { $0.pid < $1.pid }
    }

    func waitForChildren(of parent: Int32, count: Int, excluding: Set<Int32> = [], timeout: Double = 30) throws -> [Child] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let found = try children(of: parent).filter { !excluding.contains($0.pid) }
            if found.count >= count { return found }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw PipelineError(.notFound, "launcher \(parent) did not have \(count) worker(s) within \(timeout) s")
    }
}
