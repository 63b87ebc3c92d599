import Foundation
import Logging
import Postgres

/// The `spectra` executable, as the queue's end-to-end tests drive it: the CLI and the
/// worker processes are what operators and clusters run.
enum SpectraProcess {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let bundledSeries = repositoryRoot.appendingPathComponent("examples/tiny-pythia")

    /// Built beside the test bundle by `swift build --build-tests`.
    static var binary: URL {
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

    /// Starts `spectra arguments` against the database `url`; output goes to pipes, or
    /// is thrown away with `quiet` (long-lived workers that nobody reads).
    static func launch(_ arguments: [String], url: String, quiet: Bool = false) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = url
        env["SPECTRA_LOG_LEVEL"] = env["SPECTRA_TEST_LOG_LEVEL"] ?? "error"
        process.environment = env
        process.currentDirectoryURL = repositoryRoot
        if quiet {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        } else {
            process.standardOutput = Pipe()
            process.standardError = Pipe()
        }
        try process.run()
        return process
    }

    /// Runs `spectra arguments` to the end.
    static func run(_ arguments: [String], url: String) throws -> Output {
        let process = try launch(arguments, url: url)
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
        return Output(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// Plans the bundled series (12 revisions × 4 layers) as the run `name`.
    @discardableResult
    static func planBundledSeries(name: String, url: String) throws -> Output {
        try run(["plan", "--family", "local", "--model", bundledSeries.path, "--name", name], url: url)
    }
}
