import Foundation
import Postgres
import Testing
@testable import Queue

/// Dependency gating and failure propagation (migration 0004), against a real server.
@Suite struct DependencyTests {
    let queue = JobQueue(leaseSeconds: 30)
    let controls = RunControls()

    func claimAll(_ db: Connection) throws -> [ClaimedJob] {
        try queue.claim(on: db, worker: "w", limit: 100)
    }

    @Test func aJobWaitsForAllItsDependencies() throws {
        let db = try ProtocolTests.queueWithJobs(3)
        try controls.addDependency(job: 3, dependsOn: 1, on: db)
        try controls.addDependency(job: 3, dependsOn: 2, on: db)
        let first = try claimAll(db)
        #expect(first.map(\.id).sorted() == [1, 2], "job 3 waits for jobs 1 and 2")
        #expect(try queue.complete(on: db, jobID: 1, token: first.first { $0.id == 1 }!.leaseToken))
        #expect(try claimAll(db).isEmpty, "one dependency still running")
        #expect(try queue.complete(on: db, jobID: 2, token: first.first { $0.id == 2 }!.leaseToken))
        #expect(try claimAll(db).map(\.id) == [3])
    }

    @Test func batchCompletionUnblocksAJobWaitingOnTwoOfTheBatch() throws {
        let db = try ProtocolTests.queueWithJobs(3)
        try controls.addDependency(job: 3, dependsOn: 1, on: db)
        try controls.addDependency(job: 3, dependsOn: 2, on: db)
        let jobs = try claimAll(db)
        let done = try queue.complete(on: db, jobs: jobs)
        #expect(done.sorted() == [1, 2])
        #expect(try claimAll(db).map(\.id) == [3])
    }

    @Test func aDependencyOnACompletedJobDoesNotBlock() throws {
        let db = try ProtocolTests.queueWithJobs(2)
        let one = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        #expect(try queue.complete(on: db, jobID: one.id, token: one.leaseToken))
        try controls.addDependency(job: 2, dependsOn: 1, on: db)
        #expect(try claimAll(db).map(\.id) == [2])
    }

    @Test func aPermanentFailureFailsDependentsTransitivelyNamingTheCause() throws {
        let db = try ProtocolTests.queueWithJobs(4)
        try controls.addDependency(job: 2, dependsOn: 1, on: db)
        try controls.addDependency(job: 3, dependsOn: 2, on: db)
        let one = try #require(try claimAll(db).first { $0.id == 1 })
        #expect(try queue.fail(on: db, jobID: 1, token: one.leaseToken, error: "tensor x is truncated", permanent: true) == "failed")
        let direct = try ProtocolTests.state(db, 2)
        #expect(direct.state == "failed")
        #expect(direct.error == "dependency weights job #1 was failed: tensor x is truncated")
        let transitive = try ProtocolTests.state(db, 3)
        #expect(transitive.state == "failed")
        #expect(transitive.error?.contains("dependency job #2") == true && transitive.error?.contains("weights job #1") == true,
                "\(transitive.error ?? "")")
        #expect(try ProtocolTests.state(db, 4).state == "running", "an unrelated job is untouched")
    }

    @Test func aDiscardByReapingFailsDependents() throws {
        let db = try ProtocolTests.queueWithJobs(2, maxAttempts: 1)
        try controls.addDependency(job: 2, dependsOn: 1, on: db)
        _ = try #require(try JobQueue(leaseSeconds: 0.3).claim(on: db, worker: "doomed", limit: 5).first)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try queue.reapExpired(on: db) == 1)
        #expect(try ProtocolTests.state(db, 1).state == "discarded")
        let dependent = try ProtocolTests.state(db, 2)
        #expect(dependent.state == "failed")
        #expect(dependent.error?.hasPrefix("dependency weights job #1 was discarded: worker doomed lost its lease at ") == true,
                "\(dependent.error ?? "")")
    }

    @Test func aDependencyOnAFailedJobFailsAtOnce() throws {
        let db = try ProtocolTests.queueWithJobs(2)
        let one = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        _ = try queue.fail(on: db, jobID: one.id, token: one.leaseToken, error: "bad header", permanent: true)
        try controls.addDependency(job: 2, dependsOn: 1, on: db)
        #expect(try ProtocolTests.state(db, 2).error == "dependency weights job #1 was failed: bad header")
    }

    @Test func cyclesAndDependenciesOfStartedJobsAreRefused() throws {
        let db = try ProtocolTests.queueWithJobs(4)
        try controls.addDependency(job: 2, dependsOn: 1, on: db)
        try controls.addDependency(job: 3, dependsOn: 2, on: db)
        #expect { try controls.addDependency(job: 1, dependsOn: 3, on: db) } throws: { error in
            "\(error)".contains("job #1 cannot depend on job #3: that would make a cycle")
        }
        #expect(throws: PostgresError.self) { try controls.addDependency(job: 1, dependsOn: 1, on: db) }
        _ = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        #expect { try controls.addDependency(job: 1, dependsOn: 4, on: db) } throws: { error in
            "\(error)".contains("job #1 is running and can no longer gain dependencies")
        }
    }

    @Test func retryRecountsDependenciesAndRefailsOnAStillFailedOne() throws {
        let db = try ProtocolTests.queueWithJobs(2)
        try controls.addDependency(job: 2, dependsOn: 1, on: db)
        let one = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        _ = try queue.fail(on: db, jobID: one.id, token: one.leaseToken, error: "bad header", permanent: true)
        #expect(try ProtocolTests.state(db, 2).state == "failed")
        #expect(try controls.retry(run: 1, on: db) == 2)
        // Job 1 is back with fresh attempts; job 2 waits for it again rather than running.
        let again = try claimAll(db)
        #expect(again.map(\.id) == [1] && again[0].attempt == 1)
        #expect(try queue.complete(on: db, jobID: 1, token: again[0].leaseToken))
        #expect(try claimAll(db).map(\.id) == [2])
    }
}
