import Jobs
import Dispatch
import Foundation
import Logging
import Queue
import Synchronization

/// How `spectra launch` runs its workers.
public struct LaunchOptions: Sendable {
    /// The `spectra` executable the workers run (the launcher's own).
    public var executable: URL
    /// Worker processes kept running.
    public var workers: Int
    /// Arguments after `spectra work`, the same for every worker (`--name` is added).
    public var workArguments: [String]
    /// Worker names are `<baseName>.w<index>`, and `.r<n>` after the n-th restart.
    public var baseName: String
    public var restart = RestartPolicy()

    public init(executable: URL, workers: Int, workArguments: [String], baseName: String) {
        self.executable = executable
        self.workers = workers
        self.workArguments = workArguments
        self.baseName = baseName
    }
}

/// What the launcher saw before it exited.
public struct LaunchSummary: Sendable, Equatable {
    public var starts = 0
    public var restarts = 0
    /// Worker indices given up after too many crashes in a row.
    public var gaveUp: [Int] = []
    /// Worker indices whose last exit was not status 0.
    public var unclean: [Int] = []
    public var succeeded: Bool { gaveUp.isEmpty && unclean.isEmpty }
}

/// Runs and supervises N local `spectra work` processes on one big node: a crashed
/// worker is started again after a backoff (its leases come back through reaping, or
/// were released), SIGTERM and SIGINT are forwarded to every worker, and the launcher
/// returns once all of them have exited. The supervision loop polls instead of using
/// termination callbacks so that every `Process` stays on one thread.
public final class LocalLauncher: Sendable {
    public let options: LaunchOptions
    let logger: Logger
    let stopping = Atomic<Bool>(false)

    public init(options: LaunchOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Asks every worker to stop (SIGTERM) and restarts none.
    public func shutdown() {
        stopping.store(true, ordering: .sequentiallyConsistent)
    }

    struct Slot {
        var process: Process?
        var startedAt = 0.0
        var restartAt: Double? = 0
        var crashes = 0
        var generation = 0
        var done = false
        var clean = true
    }

    /// Supervises until every worker has exited (drained, shut down or given up).
    public func run() -> LaunchSummary {
        let trap = SignalTrap { [self] _ in shutdown() }
        defer { withExtendedLifetime(trap) {} }
        var summary = LaunchSummary()
        var slots = Array(repeating: Slot(), count: options.workers)
        var lastForward: Double?
        while !slots.allSatisfy(\.done) {
            let stop = stopping.load(ordering: .sequentiallyConsistent)
            let now = Self.monotonicNow()
            // Sent again every second: a worker that was just starting may not have
            // installed its handler yet (and inherits SIGTERM ignored from here);
            // a worker's shutdown is idempotent, so repeats cost nothing.
            if stop, lastForward.map({ now - $0 >= 1 }) ?? true {
                let live = slots.compactMap { $0.process?.processIdentifier }
                if lastForward == nil { logger.info("shutdown requested: forwarding SIGTERM to \(live.count) worker(s)") }
                lastForward = now
                for pid in live { kill(pid, SIGTERM) }
            }
            for index in slots.indices {
                if let process = slots[index].process, !process.isRunning {
                    reap(process, slot: &slots[index], index: index, stopping: stop, now: now, summary: &summary)
                }
                if slots[index].process == nil, !slots[index].done {
                    if stop {
                        slots[index].done = true
                    } else if let at = slots[index].restartAt, now >= at {
                        start(slot: &slots[index], index: index, now: now, summary: &summary)
                    }
                }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        for index in slots.indices where !slots[index].clean && !summary.gaveUp.contains(index) {
            summary.unclean.append(index)
        }
        return summary
    }

    func start(slot: inout Slot, index: Int, now: Double, summary: inout LaunchSummary) {
        let name = "\(options.baseName).w\(index)" + (slot.generation > 0 ? ".r\(slot.generation)" : "")
        let process = Process()
        process.executableURL = options.executable
        process.arguments = ["work"] + options.workArguments + ["--name", name]
        var environment = ProcessInfo.processInfo.environment
        // OpenBLAS threads are per process: N workers each taking every core would
        // oversubscribe the node, so they share the cores unless the user chose.
        if environment["OPENBLAS_NUM_THREADS"] == nil {
            environment["OPENBLAS_NUM_THREADS"] = String(max(1, ProcessInfo.processInfo.activeProcessorCount / options.workers))
        }
        process.environment = environment
        slot.startedAt = now
        slot.restartAt = nil
        summary.starts += 1
        if slot.generation > 0 { summary.restarts += 1 }
        slot.generation += 1
        do {
            try process.run()
            slot.process = process
            logger.info("started worker \(index) as \(name) (pid \(process.processIdentifier))", metadata: ["worker": "\(name)"])
        } catch {
            // Counted as a crash at start, so a missing executable backs off too.
            logger.error("could not start worker \(index) (\(options.executable.path)): \(error)")
            decideAfterExit(slot: &slot, index: index, clean: false, uptime: 0, now: now, summary: &summary)
        }
    }

    func reap(_ process: Process, slot: inout Slot, index: Int, stopping: Bool, now: Double, summary: inout LaunchSummary) {
        slot.process = nil
        let clean = process.terminationReason == .exit && process.terminationStatus == 0
        let how = process.terminationReason == .exit
            ? "exited with status \(process.terminationStatus)"
            : "was killed by signal \(process.terminationStatus)"
        if stopping {
            slot.done = true
            slot.clean = clean
            if clean { logger.info("worker \(index) \(how)") } else { logger.warning("worker \(index) \(how) during shutdown") }
            return
        }
        decideAfterExit(slot: &slot, index: index, clean: clean, uptime: now - slot.startedAt, now: now, summary: &summary,
                        how: how)
    }

    func decideAfterExit(slot: inout Slot, index: Int, clean: Bool, uptime: Double, now: Double,
                         summary: inout LaunchSummary, how: String = "did not start") {
        switch options.restart.decide(exitedCleanly: clean, uptime: uptime, consecutiveCrashes: &slot.crashes) {
        case .finished:
            slot.done = true
            slot.clean = true
            logger.info("worker \(index) \(how): finished")
        case .restart(let delay):
            slot.restartAt = now + delay
            logger.warning("worker \(index) \(how) after \(Int(uptime)) s; restarting in \(delay) s")
        case .giveUp(let reason):
            slot.done = true
            slot.clean = false
            summary.gaveUp.append(index)
            logger.error("worker \(index) \(how); giving up: \(reason)")
        }
    }

    static func monotonicNow() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
