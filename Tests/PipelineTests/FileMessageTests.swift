import Foundation
import SpectraTestSupport
import Testing

/// The messages of `spectra` for files that are directories, missing or malformed: each
/// names the file and says what is wrong in words, never a Foundation error code.
@Suite struct FileMessageTests {
    private static let fixture = SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/models/gpt-neox")

    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-file-messages-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func expectError(_ output: SpectraExecutable.Output, _ line: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(output.status == 1, "\(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stderr.split(separator: "\n").contains { $0 == "Error: \(line)" }, "\(output.stderr)",
                sourceLocation: sourceLocation)
        #expect(!output.stderr.contains("NSCocoaErrorDomain") && !output.stderr.contains("No such device"),
                sourceLocation: sourceLocation)
    }

    /// A directory where model.safetensors belongs once read "cannot map: No such device".
    @Test func directoryWhereTheWeightsBelong() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: Self.fixture.appendingPathComponent("config.json"),
                                         to: dir.appendingPathComponent("config.json"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.safetensors"), withIntermediateDirectories: false)
        let probe = dir.appendingPathComponent("probe.txt")
        try Data("a line\n".utf8).write(to: probe)
        let output = try SpectraExecutable.run(["activations", dir.path, "--text", probe.path, "--tokenizer",
            SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizer/tokenizer.json").path,
            "--out", dir.appendingPathComponent("out").path])
        expectError(output, "checkpoint \(dir.lastPathComponent)/model.safetensors: is a directory")
        let spectrum = try SpectraExecutable.run(["spectrum", dir.appendingPathComponent("model.safetensors").path, "--tensor", "x"])
        expectError(spectrum, "safetensors file \(dir.path)/model.safetensors: is a directory")
    }

    @Test func directoryWhereConfigBelongs() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("config.json"), withIntermediateDirectories: false)
        let output = try SpectraExecutable.run(["activations", dir.path, "--text", "/dev/null", "--out", dir.appendingPathComponent("o").path])
        expectError(output, "\(dir.path)/config.json: is a directory")
    }

    @Test func missingAndDirectoryInputs() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokenizer = SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizer/tokenizer.json").path
        expectError(try SpectraExecutable.run(["tokenize", tokenizer, dir.appendingPathComponent("absent.txt").path]),
                    "\(dir.path)/absent.txt: not found")
        expectError(try SpectraExecutable.run(["tokenize", tokenizer, dir.path]), "\(dir.path): is a directory")
        expectError(try SpectraExecutable.run(["spectrum", dir.appendingPathComponent("absent.npy").path]),
                    "numpy file \(dir.path)/absent.npy: not found")
    }

    /// tokenizer.json syntax errors say where, like config.json's ("around character N").
    @Test func tokenizerSyntaxErrorHasAPosition() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("tokenizer.json")
        try Data(#"{"model": {"type": "BPE",, }"#.utf8).write(to: bad)
        let output = try SpectraExecutable.run(["tokenize", bad.path, "/dev/null"])
        expectError(output, "\(bad.path): not valid JSON: Invalid value around character 25.")
        let config = dir.appendingPathComponent("config.json")
        try Data(#"{"hidden_size": 8,, }"#.utf8).write(to: config)
        let activations = try SpectraExecutable.run(["activations", dir.path, "--text", "/dev/null", "--out", dir.appendingPathComponent("o").path])
        expectError(activations, "\(config.path): not valid JSON: Invalid value around character 18.")
    }
}
