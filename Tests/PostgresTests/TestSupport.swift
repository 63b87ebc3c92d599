import Foundation
import PostgresTestSupport
import Logging
@testable import Postgres

/// A connection to a fresh, empty database on the process's private test server.
func freshConnection() throws -> Connection {
    try Connection(url: try TemporaryDatabase.create())
}

/// A new empty directory for one test, removed by the caller.
func makeScratchDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("spectra-test-\(label)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
