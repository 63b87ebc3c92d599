import ArgumentParser
import Pipeline
import Queue
import Postgres

/// `spectra db start|stop|status|url|migrate`.
struct DB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the embedded PostgreSQL under .spectra/ (Unix socket only), or migrate DATABASE_URL's.",
        subcommands: [Start.self, Stop.self, Status.self, URLCommand.self, Migrate.self, SchemaCommand.self])

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the embedded server (idempotent); waits until it accepts connections.")
        @OptionGroup var common: CommonOptions

        func run() throws {
            let server = common.database(common.logger("spectra.db")).embedded
            try server.start(timeout: 60)
            print("running: \(server.url)")
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded server.")
        @OptionGroup var common: CommonOptions

        func run() throws {
            try common.database(common.logger("spectra.db")).embedded.stop()
            print("stopped")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the embedded server runs; exit 1 if it does not.")
        @OptionGroup var common: CommonOptions

        func run() throws {
            let database = common.database(common.logger("spectra.db"))
            let status = database.embedded.status()
            print("\(database.dataDirectory.path): \(status)")
            if case .running = status { return }
            throw ExitCode(1)
        }
    }

    struct URLCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "url",
            abstract: "Print the connection string (DATABASE_URL when set), for psql \"$(spectra db url)\".")
        @OptionGroup var common: CommonOptions

        func run() throws {
            let database = common.database(common.logger("spectra.db"))
            print(database.externalURL ?? database.embedded.url)
        }
    }

    struct SchemaCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "schema",
            abstract: "Print the current schema (migrating first), as sql/schema.sql holds it.")
        @OptionGroup var common: CommonOptions

        func run() throws {
            let logger = common.logger("spectra.db")
            print(try Schema.currentSQL(url: try common.database(logger).migratedURL()), terminator: "")
        }
    }

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending migrations (starting the embedded server if needed).")
        @OptionGroup var common: CommonOptions

        func run() throws {
            let logger = common.logger("spectra.db")
            let url = try common.database(logger).url()
            let applied = try Schema.migrate(url: url, logger: logger)
            print(applied.isEmpty ? "schema up to date" : "applied: \(applied.joined(separator: ", "))")
        }
    }
}
