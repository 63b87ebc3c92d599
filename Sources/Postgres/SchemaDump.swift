import Foundation

/// A schema's definition as pg_dump writes it, normalised so that two dumps of the same
/// schema are byte-identical: no comments, session settings, owners or the per-dump
/// restrict keys of newer pg_dump releases, and single blank lines between statements.
public enum SchemaDump {
    /// Dumps `schema` of the database at `url` (schema only, no owners, privileges kept).
    public static func dump(url: String, schema: String) throws(PostgresError) -> String {
        let outcome = try Subprocess.run(try Subprocess.findPostgresProgram("pg_dump"),
                                         ["--schema-only", "--no-owner", "--schema=\(schema)", "--dbname=\(url)"],
                                         timeout: .seconds(60), keepStandardError: false)
        guard outcome.status == 0 else {
            throw PostgresError(.serverControl, "pg_dump of schema \(schema) failed (exit \(outcome.status)): \(outcome.output)")
        }
        return normalise(outcome.output)
    }

    /// `text` without comments, SET lines, set_config calls and \restrict lines, with runs
    /// of blank lines collapsed to one.
    static func normalise(_ text: String) -> String {
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("--") || line.hasPrefix("SET ") || line.hasPrefix("SELECT pg_catalog.set_config")
                || line.hasPrefix("\\restrict") || line.hasPrefix("\\unrestrict") { continue }
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if lines.last.map({ $0.isEmpty }) ?? true { continue }
                lines.append("")
                continue
            }
            lines.append(line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }
}
