import Foundation
import Logging
import Pipeline
import Postgres

/// Paths and process helpers shared by the pipeline tests.
enum TestSupport {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let bundledSeries = repositoryRoot.appendingPathComponent("examples/tiny-pythia")

    static let logger: Logger = {
        var logger = Logger(label: "spectra.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// The `spectra` executable built beside the test bundle by `swift build --build-tests`.
    static var spectraBinary: URL {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("spectra")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return repositoryRoot.appendingPathComponent(".build/debug/spectra")
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `spectra` with `arguments`, `environment` merged over this process's
    /// (a nil value removes the variable), and waits for it.
    static func spectra(_ arguments: [String], environment: [String: String?] = [:],
                        directory: URL? = nil) throws -> Output {
        let process = try launch(arguments, environment: environment, directory: directory)
        return try collect(process)
    }

    static func launch(_ arguments: [String], environment: [String: String?] = [:],
                       directory: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = spectraBinary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return process
    }

    static func collect(_ process: Process) throws -> Output {
        let out = (process.standardOutput as! Pipe).fileHandleForReading
        let err = (process.standardError as! Pipe).fileHandleForReading
        // Read both pipes before waiting, or a chatty child blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var stderrData = Data()
        group.enter()
        DispatchQueue.global().async { stderrData = err.readDataToEndOfFile(); group.leave() }
        let stdoutData = out.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// A fresh database with Spectra's schema.
    static func migratedDatabase() throws -> String {
        let url = try TemporaryDatabase.create(logger: logger)
        _ = try Pipeline.Schema.migrate(url: url, logger: logger)
        return url
    }

    static func count(_ sql: String, url: String) throws -> Int {
        let db = try Connection(url: url)
        return try db.query(SQLQuery("\(unsafeRaw: sql)")).first?.decode("n", as: Int.self) ?? -1
    }
}
