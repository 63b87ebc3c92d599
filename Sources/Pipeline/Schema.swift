import Foundation
import Logging
import Postgres

/// Spectra's schema: the numbered migrations under `sql/migrations`.
public enum Schema {
    /// Finds the migrations directory: `SPECTRA_SQL_DIR`, else `sql/migrations` beside the
    /// executable's package (the repository it was built in, or `share/spectra` of an
    /// installed prefix), else under the current directory.
    public static func migrationsDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        var candidates: [URL] = []
        if let dir = environment["SPECTRA_SQL_DIR"] {
            candidates.append(URL(fileURLWithPath: dir))
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var ancestor = executable.deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(ancestor.appendingPathComponent("sql/migrations"))
            candidates.append(ancestor.appendingPathComponent("share/spectra/sql/migrations"))
            ancestor = ancestor.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: "sql/migrations"))
        // The source tree this file was compiled from, for tests run by `swift test`.
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sql/migrations"))
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return candidate.standardizedFileURL
            }
        }
        throw PipelineError(.notFound,
            "cannot find Spectra's SQL migrations; looked in: \(candidates.map(\.path).joined(separator: ", ")). Set SPECTRA_SQL_DIR to the sql/migrations directory.")
    }

    /// Applies pending migrations; returns the names of those applied now.
    @discardableResult
    public static func migrate(url: String, logger: Logger) throws -> [String] {
        let migrator = try Migrator(directory: migrationsDirectory(), schema: "spectra", logger: logger)
        let connection = try Connection(url: url)
        return try migrator.migrate(connection).map(\.name)
    }
}
