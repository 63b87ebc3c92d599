import Foundation

/// The `spectra` executable as the end-to-end tests drive it: the CLI and the worker
/// processes are what researchers and clusters run. Shared by every test target that
/// spawns it.
public enum SpectraExecutable {
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The bundled checkpoint series the demo runs on.
    public static let bundledSeries = repositoryRoot.appendingPathComponent("examples/tiny-pythia")

    /// The checkpoint directory of a bundled revision: its snapshot in examples/hub.
    public static func bundledCheckpoint(_ revision: String) -> URL {
        let repo = repositoryRoot.appendingPathComponent("examples/hub/models--spectra--tiny-pythia")
        let commit = (try? String(contentsOf: repo.appendingPathComponent("refs/\(revision)"), encoding: .utf8)) ?? revision
        return repo.appendingPathComponent("snapshots/\(commit)")
    }

    /// Built beside the test bundle by `swift build --build-tests`.
    public static var binary: URL {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("spectra")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return repositoryRoot.appendingPathComponent(".build/debug/spectra")
    }

    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Starts `spectra arguments` with `environment` merged over this process's (a nil
    /// value removes the variable). Output goes to pipes for `collect`, or is thrown
    /// away with `quiet` (long-lived workers that nobody reads).
    public static func launch(_ arguments: [String], environment: [String: String?] = [:],
                              directory: URL? = nil, quiet: Bool = false) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
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

    /// Waits for a process started by `launch` (not `quiet`) and returns its output.
    public static func collect(_ process: Process) throws -> Output {
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

    /// Runs `spectra arguments` to the end.
    public static func run(_ arguments: [String], environment: [String: String?] = [:],
                           directory: URL? = nil) throws -> Output {
        try collect(launch(arguments, environment: environment, directory: directory))
    }

    /// Runs another program (chromium, python3) to the end, output collected.
    public static func runProgram(_ executable: String, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return try collect(process)
    }
}
