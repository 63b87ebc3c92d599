import SpectraBase
import Foundation

/// One numbered, immutable schema migration: `0003_add_results.sql`.
public struct Migration: Sendable, Equatable {
    /// The number that orders migrations.
    public let version: Int
    /// The part of the file name after the number (`add_results`).
    public let name: String
    /// The SQL to run; it must not contain transaction control (it runs inside one).
    public let sql: String
    /// SHA-256 of the file's bytes, as lowercase hex.
    public let checksum: String
    /// The file name it came from, for messages.
    public let fileName: String

    /// Creates a migration from SQL text; the checksum is computed from it.
    public init(version: Int, name: String, sql: String, fileName: String? = nil) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hexDigest(Array(sql.utf8))
        self.fileName = fileName ?? Migration.fileName(version: version, name: name)
    }

    /// The canonical file name, `NNNN_name.sql`.
    public static func fileName(version: Int, name: String) -> String {
        let digits = String(version)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "_" + name + ".sql"
    }

    /// Loads every `*.sql` file in `directory`, sorted by version. Files named other than
    /// `NNNN_name.sql` (four or more digits; letters, digits, `_` or `-` in the name) and
    /// duplicate numbers are refused, naming the files; other files are ignored.
    public static func load(from directory: URL) throws(PostgresError) -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw PostgresError(.migrationRefused, "cannot list migrations in \(directory.path): \(FileAccess.reason(error))")
        }
        var migrations: [Migration] = []
        var fileByVersion: [Int: String] = [:]
        for fileName in names.sorted() where fileName.hasSuffix(".sql") && !fileName.hasPrefix(".") {
            guard let (version, name) = parse(fileName) else {
                throw PostgresError(.migrationRefused,
                    "migration file \(directory.appendingPathComponent(fileName).path) is misnamed: "
                    + "expected NNNN_name.sql (a number of at least four digits, an underscore, "
                    + "then letters, digits, '_' or '-')")
            }
            if let existing = fileByVersion[version] {
                throw PostgresError(.migrationRefused,
                    "migrations \(existing) and \(fileName) in \(directory.path) share number \(version); "
                    + "renumber the newer one")
            }
            fileByVersion[version] = fileName
            let url = directory.appendingPathComponent(fileName)
            let data: Data
            do { data = try FileAccess.read(url.path) } catch {
                throw PostgresError(.migrationRefused, "cannot read migration file \(error)")
            }
            guard let sql = String(data: data, encoding: .utf8) else {
                throw PostgresError(.migrationRefused, "migration file \(url.path) is not UTF-8")
            }
            // The checksum covers the file's exact bytes.
            migrations.append(Migration(version: version, name: name, sql: sql, fileName: fileName,
                                        checksum: SHA256.hexDigest(data)))
        }
        return migrations.sorted { $0.version < $1.version }
    }

    private init(version: Int, name: String, sql: String, fileName: String, checksum: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.fileName = fileName
        self.checksum = checksum
    }

    /// Splits `0012_add_index.sql` into (12, "add_index"); nil when misnamed.
    static func parse(_ fileName: String) -> (Int, String)? {
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        let name = stem[stem.index(after: underscore)...]
        guard digits.count >= 4, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              !name.isEmpty,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }),
              let version = Int(digits) else { return nil }
        return (version, String(name))
    }
}
