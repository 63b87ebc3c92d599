import Foundation
import SpectraTestSupport

/// The `spectra` executable against one test database, as the queue's end-to-end tests
/// drive it; launching and collecting output is `SpectraExecutable`'s.
enum SpectraProcess {
    typealias Output = SpectraExecutable.Output

    /// The worker's environment: the test database, and quiet logs unless
    /// SPECTRA_TEST_LOG_LEVEL asks for more.
    static func environment(url: String) -> [String: String?] {
        ["DATABASE_URL": url,
         "SPECTRA_LOG_LEVEL": ProcessInfo.processInfo.environment["SPECTRA_TEST_LOG_LEVEL"] ?? "error"]
    }

    /// Starts `spectra arguments` against the database `url`; output goes to pipes, or
    /// is thrown away with `quiet` (long-lived workers that nobody reads).
    static func launch(_ arguments: [String], url: String, quiet: Bool = false) throws -> Process {
        try SpectraExecutable.launch(arguments, environment: environment(url: url),
                                     directory: SpectraExecutable.repositoryRoot, quiet: quiet)
    }

    /// Runs `spectra arguments` to the end.
    static func run(_ arguments: [String], url: String) throws -> Output {
        try SpectraExecutable.collect(launch(arguments, url: url))
    }

    /// Plans the bundled series (12 revisions × 4 layers) as the run `name`.
    @discardableResult
    static func planBundledSeries(name: String, url: String) throws -> Output {
        try run(["plan", "--family", "local", "--model", SpectraExecutable.bundledSeries.path, "--name", name], url: url)
    }
}
