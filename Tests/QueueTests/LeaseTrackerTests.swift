import Testing
@testable import Queue

/// The lease state machine, without a database: times are plain seconds.
@Suite struct LeaseTrackerTests {
    @Test func heartbeatIsDueEveryThirdOfTheLease() {
        let tracker = LeaseTracker(leaseSeconds: 30, claimedAt: 100)
        #expect(!tracker.heartbeatDue(now: 109.9))
        #expect(tracker.heartbeatDue(now: 110))
    }

    @Test func confirmedHeartbeatMovesTheSchedule() {
        var tracker = LeaseTracker(leaseSeconds: 30, claimedAt: 0)
        tracker.apply(.heartbeatConfirmed(at: 10))
        #expect(!tracker.heartbeatDue(now: 19))
        #expect(tracker.heartbeatDue(now: 20))
        #expect(tracker.mayWrite(now: 30))
    }

    @Test func rejectedHeartbeatLosesTheLeaseForGood() {
        var tracker = LeaseTracker(leaseSeconds: 30, claimedAt: 0)
        tracker.apply(.heartbeatRejected)
        #expect(tracker.isLost)
        #expect(!tracker.mayWrite(now: 1))
        tracker.apply(.heartbeatConfirmed(at: 2))
        #expect(tracker.isLost, "a lost lease never comes back, even if a late heartbeat is answered")
        #expect(!tracker.heartbeatDue(now: 100))
    }

    @Test func failedHeartbeatsLoseTheLeaseOnlyAfterAWholeLease() {
        var tracker = LeaseTracker(leaseSeconds: 30, claimedAt: 0)
        tracker.apply(.heartbeatFailed(at: 10, error: "connection refused"))
        tracker.apply(.heartbeatFailed(at: 20, error: "connection refused"))
        #expect(!tracker.isLost)
        #expect(tracker.heartbeatDue(now: 20), "keeps trying while the lease may still be valid")
        tracker.apply(.heartbeatFailed(at: 30, error: "connection refused"))
        #expect(tracker.isLost)
        guard case .lost(let reason) = tracker.state else { Issue.record("expected lost"); return }
        #expect(reason.contains("connection refused"))
    }

    @Test func writingStopsBeforeTheLeaseRunsOut() {
        let tracker = LeaseTracker(leaseSeconds: 30, claimedAt: 0)
        #expect(tracker.mayWrite(now: 26.9))
        #expect(!tracker.mayWrite(now: 27), "a 10% margin for clock drift between worker and database")
    }

    @Test func finishedLeaseNeitherBeatsNorWrites() {
        var tracker = LeaseTracker(leaseSeconds: 30, claimedAt: 0)
        tracker.apply(.finished)
        #expect(tracker.state == .finished)
        #expect(!tracker.heartbeatDue(now: 50))
        #expect(!tracker.mayWrite(now: 1))
        tracker.apply(.heartbeatRejected)
        #expect(tracker.state == .finished)
    }
}
