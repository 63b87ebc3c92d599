import Checkpoints
import Foundation
import LinearAlgebra
@testable import Jobs
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// How the artifact store classifies write failures: the machine's (retried without
/// spending an attempt) or the configuration's (an ordinary failure).
@Suite("Artifact file writer")
struct ArtifactFileWriterTests {
    @Test("a full disk (ENOSPC from /dev/full) is an infrastructure fault naming the file and the errno",
          .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func fullDeviceIsAnInfrastructureFault() throws {
        let fd = open("/dev/full", O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        do {
            try ArtifactFileWriter.writeAll(Data(repeating: 7, count: 4096), to: fd, path: "/dev/full")
            Issue.record("a write to /dev/full succeeded")
        } catch let fault as ArtifactStoreFault {
            #expect(fault.errno == ENOSPC)
            #expect(fault.description == "artifact store: cannot write /dev/full: No space left on device")
        }
    }

    @Test("a path through a regular file is a configuration error, not a fault; a good write is atomic and complete")
    func configurationErrorsAreNotFaults() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("artifact-writer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = ArtifactStore(root: root.path)
        let matrix = try Matrix<Float>(rows: 2, columns: 3, storage: [1, 2, 3, 4, 5, 6])
        let sha = try store.write(matrix, at: "run-1/layer-00.npy")
        #expect(try store.read("run-1/layer-00.npy", sha256: sha).storage == matrix.storage)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("run-1").path)
        #expect(leftovers == ["layer-00.npy"], "no temporary file left behind")
        do {
            _ = try store.write(matrix, at: "run-1/layer-00.npy/inner.npy")
            Issue.record("writing below a regular file succeeded")
        } catch is ArtifactStoreFault {
            Issue.record("a path error was taken for an infrastructure fault")
        } catch {
            #expect("\(error)".contains("layer-00.npy"), "\(error)")
        }
    }
}
