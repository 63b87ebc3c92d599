import ArgumentParser
import Foundation
import Logging
import Pipeline
import Queue

/// Options every database-using subcommand shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "Directory of the embedded PostgreSQL cluster (default .spectra/pg, or SPECTRA_DATA_DIR).")
    var dataDir: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default info, or SPECTRA_LOG_LEVEL).")
    var logLevel: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level: '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// Sets up logging to standard error and returns the logger for `label`; a command
    /// whose own output tells the story (the demo) passes a quieter `defaultLevel`.
    func logger(_ label: String, defaultLevel: Logger.Level = .info) -> Logger {
        let name = logLevel ?? ProcessInfo.processInfo.environment["SPECTRA_LOG_LEVEL"]
        let level = name.flatMap(Logger.Level.init(rawValue:)) ?? defaultLevel
        LoggingBootstrap.once(level: level)
        return Logger(label: label)
    }

    func database(_ logger: Logger) -> Database {
        Database(dataDirectory: dataDir, logger: logger)
    }
}

/// LoggingSystem.bootstrap may run only once per process.
enum LoggingBootstrap {
    nonisolated(unsafe) static var done = false

    static func once(level: Logger.Level) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
