import ArgumentParser
import Pipeline
import Queue

/// `spectra jobs retry|pause|resume|cancel --run ID`.
struct Jobs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Control a run's jobs: retry failed or discarded ones, pause, resume or cancel the run.",
        subcommands: [Retry.self, Pause.self, Resume.self, Cancel.self])

    struct RunOptions: ParsableArguments {
        @Option(help: "The run (its id or name).")
        var run: String

        @OptionGroup var common: CommonOptions

        func perform(_ action: RunControl.Action) throws {
            let logger = common.logger("spectra.jobs", defaultLevel: .warning)
            let outcome = try RunControl(logger: logger).perform(action, run: run, url: try common.database(logger).migratedURL())
            let verb = ["retry": "retried", "pause": "paused", "resume": "resumed", "cancel": "cancelled"][action.rawValue] ?? action.rawValue
            print("run \(outcome.runName) (#\(outcome.runID)): \(verb) \(outcome.jobs) job(s)")
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give the run's failed and discarded jobs a fresh set of attempts.")
        @OptionGroup var options: RunOptions
        func run() throws { try options.perform(.retry) }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop handing out the run's jobs; running jobs finish.")
        @OptionGroup var options: RunOptions
        func run() throws { try options.perform(.pause) }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hand out a paused run's jobs again.")
        @OptionGroup var options: RunOptions
        func run() throws { try options.perform(.resume) }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Discard the run's unfinished jobs; running ones lose their lease and write nothing (undo with retry).")
        @OptionGroup var options: RunOptions
        func run() throws { try options.perform(.cancel) }
    }
}
