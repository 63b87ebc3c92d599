import ArgumentParser
import Foundation
import Jobs
import Pipeline
import Queue

/// `spectra status`: progress, rates, ETA, workers and failures per run.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show per run and job kind: counts by state, throughput, ETA, live workers and the most common failures.")

    @Option(name: .customLong("run"), help: "Only this run (its id or name).")
    var runID: String?

    @Flag(help: "Redraw every --interval seconds until interrupted.")
    var watch = false

    @Option(help: "Seconds between redraws with --watch.")
    var interval: Double = 2

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        try checkRange(interval, 0.2...OptionLimits.seconds.upperBound, "--interval")
    }

    func run() throws {
        let logger = common.logger("spectra.status", defaultLevel: .warning)
        let url = try common.database(logger).migratedURL()
        repeat {
            let status = try QueueStatus.load(url: url, run: runID)
            let text = json ? try status.json() : status.render()
            // With --watch, clear the screen so the table redraws in place.
            print(watch && !json ? "\u{1B}[H\u{1B}[2J" + text : text)
            if watch { Thread.sleep(forTimeInterval: interval) }
        } while watch
    }
}
