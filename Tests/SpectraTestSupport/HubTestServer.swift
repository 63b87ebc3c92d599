import Foundation

/// tools/hf_test_server.py serving the committed examples/hub as a Hugging Face endpoint,
/// stopped when the value is released.
public final class HubTestServer {
    let process = Process()
    public let endpoint: String
    let log: URL

    public static let hub = SpectraExecutable.repositoryRoot.appendingPathComponent("examples/hub")

    public init(_ options: [String] = [], root: URL = HubTestServer.hub) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-hf-\(UUID().uuidString).log")
        // The interpreter itself, not a wrapper (pyenv's shim) that would outlive terminate().
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        process.executableURL = URL(fileURLWithPath: python ?? "/usr/bin/python3")
        process.arguments = [SpectraExecutable.repositoryRoot.appendingPathComponent("tools/hf_test_server.py").path,
                             "--root", root.path, "--log", log.path] + options
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is the port; read byte by byte so nothing after it is consumed.
        var line = Data()
        while let byte = try pipe.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != 10 {
            line.append(first)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile)
        }
        endpoint = "http://127.0.0.1:\(port)"
    }

    /// The requests served so far, "METHOD PATH RANGE" each.
    public var requests: [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    deinit {
        // SIGKILL: the server holds no state worth a clean shutdown, and waiting on a
        // ThreadingHTTPServer's SIGTERM handling could stall the test.
        kill(process.processIdentifier, SIGKILL)
        try? FileManager.default.removeItem(at: log)
    }
}
