import Foundation
import Logging
import Postgres

/// Where Spectra's database is: the server named by `DATABASE_URL`, or else the embedded
/// server under `.spectra/pg` in the current directory (`SPECTRA_DATA_DIR` or
/// `--data-dir` move it).
public struct Database: Sendable {
    /// The URL from `DATABASE_URL`, when set; it overrides the embedded server everywhere.
    public let externalURL: String?
    /// The embedded server's cluster directory.
    public let dataDirectory: URL
    let logger: Logger

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                dataDirectory: String? = nil, logger: Logger = Logger(label: "spectra.database")) {
        let url = environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        externalURL = url
        let directory = dataDirectory ?? environment["SPECTRA_DATA_DIR"] ?? ".spectra/pg"
        self.dataDirectory = URL(fileURLWithPath: directory).standardizedFileURL
        self.logger = logger
    }

    /// The embedded server (whether or not `DATABASE_URL` overrides it).
    public var embedded: EmbeddedServer {
        EmbeddedServer(dataDirectory: dataDirectory, logger: logger)
    }

    /// A connection URL, starting the embedded server first when no `DATABASE_URL` is set.
    public func url() throws -> String {
        if let externalURL { return externalURL }
        let server = embedded
        try server.start(timeout: 60)
        return server.url
    }

    /// A URL with its schema migrated to the newest version; what every command that
    /// reads or writes Spectra's tables starts from.
    public func migratedURL() throws -> String {
        let url = try url()
        _ = try Schema.migrate(url: url, logger: logger)
        return url
    }
}
