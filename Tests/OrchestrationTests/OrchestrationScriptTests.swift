import Foundation
import SpectraTestSupport
import Testing

/// The cluster launchers, tested on the real engines by the scripts beside them. Each
/// runs when what it needs is installed (scripts/test installs it as root) and
/// otherwise shows as skipped with the reason.
@Suite(.serialized) struct OrchestrationScriptTests {
    static let isRoot = getuid() == 0

    static func installed(_ programs: String...) -> Bool {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin"
        return programs.allSatisfy { program in
            path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
        }
    }

    /// python3 with the venv module (Debian ships it separately as python3-venv).
    static let hasPythonVenv: Bool = {
        (try? run(["python3", "-c", "import ensurepip, venv"]).status) == 0
    }()

    static let extractorPython: String? = {
        let python = ProcessInfo.processInfo.environment["SPECTRA_EXTRACTOR_PYTHON"] ?? "python3"
        return (try? run([python, "-c", "import torch, transformers, tokenizers, psycopg"]).status) == 0 ? python : nil
    }()

    @Test(.enabled(if: isRoot && installed("slurmctld", "slurmd", "munged", "sbatch"),
                   "needs root and Debian's slurm-wlm and munge (scripts/test installs them as root)"),
          .timeLimit(.minutes(10)))
    func slurmArrayWithRequeuesCompletesEveryJobOnce() throws {
        try expectPass("orchestration/slurm/test-slurm.sh")
    }

    @Test(.enabled(if: isRoot && installed("pgbouncer", "openssl"),
                   "needs root, Debian's pgbouncer and openssl (scripts/test installs them as root)"),
          .timeLimit(.minutes(5)))
    func workersThroughPgBouncerWithTLSAndNoPasswordLeaks() throws {
        try expectPass("orchestration/pgbouncer/test-pgbouncer.sh")
    }

    @Test(.enabled(if: hasPythonVenv, "needs python3 with venv (apt-get install python3-venv) and PyPI"),
          .timeLimit(.minutes(5)))
    func kubernetesManifestsValidateAndGraceFits() throws {
        try expectPass("orchestration/kubernetes/test-kubernetes.sh")
    }

    @Test(.enabled(if: hasPythonVenv, "needs python3 with venv (apt-get install python3-venv) and PyPI"),
          .timeLimit(.minutes(5)))
    func containerfileLintsAndEntrypointExecs() throws {
        try expectPass("workers/test-containerfile.sh")
    }

    @Test(.enabled(if: extractorPython != nil,
                   "needs a python with workers/gpu_extractor/requirements.txt (set SPECTRA_EXTRACTOR_PYTHON)"),
          .timeLimit(.minutes(5)))
    func gpuExtractorOnTheCPU() throws {
        try expectPass("workers/gpu_extractor/test.sh", environment: ["SPECTRA_EXTRACTOR_PYTHON": Self.extractorPython])
    }

    func expectPass(_ script: String, environment: [String: String?] = [:]) throws {
        let path = SpectraExecutable.repositoryRoot.appendingPathComponent(script).path
        var env = environment
        env["SPECTRA_BIN"] = SpectraExecutable.binary.path
        let output = try Self.run(["bash", path], environment: env)
        #expect(output.status == 0, "\(script) exited \(output.status):\n\(output.tail)")
    }

    struct Output {
        var status: Int32
        var tail: String
    }

    /// Runs a program found on PATH, output (both streams, last 4 kB) for the message.
    /// Output goes to a file, not a pipe: a daemon a script leaves behind by mistake
    /// would hold a pipe open and hang the test instead of failing it.
    static func run(_ arguments: [String], environment: [String: String?] = [:]) throws -> Output {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-orchestration-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let data = try Data(contentsOf: log)
        return Output(status: process.terminationStatus, tail: String(decoding: data.suffix(4096), as: UTF8.self))
    }
}
