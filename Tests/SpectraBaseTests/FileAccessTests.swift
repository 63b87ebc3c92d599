import Foundation
import Testing
import SpectraBase
#if canImport(Glibc)
import Glibc
#endif

/// Each way a file can fail to open gets words a person can act on, never a Foundation
/// error code.
@Suite struct FileAccessTests {
    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-file-access-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func readsAWholeFile() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bytes = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: dir.appendingPathComponent("f"))
        #expect(try FileAccess.read(dir.appendingPathComponent("f").path) == bytes)
    }

    @Test func directory() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: FileAccessError(.isDirectory, path: dir.path)) { try FileAccess.read(dir.path) }
        #expect(throws: FileAccessError(.isDirectory, path: dir.path)) { _ = try FileAccess.openForReading(dir.path) }
        #expect(FileAccessError(.isDirectory, path: "/x").description == "/x: is a directory")
    }

    @Test func missingFile() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("absent.json").path
        #expect(throws: FileAccessError(.notFound, path: path)) { try FileAccess.read(path) }
        #expect(FileAccessError(.notFound, path: path).description == "\(path): not found")
    }

    /// root reads a file whatever its mode, so the case cannot be staged as root.
    @Test(.disabled(if: geteuid() == 0, "running as root: chmod 000 does not deny root's reads"))
    func unreadableFile() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("secret")
        try Data("x".utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: file.path)
        #expect(throws: FileAccessError(.permissionDenied, path: file.path)) { try FileAccess.read(file.path) }
    }

    /// The errno mapping itself, which the root-only case above cannot reach.
    @Test func errnoWords() {
        #expect(FileAccess.error(errno: EACCES, path: "p").description == "p: permission denied")
        #expect(FileAccess.error(errno: EISDIR, path: "p").kind == .isDirectory)
        #expect(FileAccess.error(errno: ENOSPC, path: "p").description == "p: no space left on device")
    }

    /// What Foundation throws for a missing or unreadable path, reworded.
    @Test func foundationErrorsAreReworded() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("absent")
        do {
            _ = try Data(contentsOf: missing)
            Issue.record("read a missing file")
        } catch {
            #expect(FileAccess.reason(error) == "not found")
            let message = FileAccess.foundationMessage(error)
            #expect(message == "\(missing.path): not found", "\(String(describing: message))")
        }
        #expect(FileAccess.reason(CocoaError(.fileWriteOutOfSpace)) == "no space left on device")
        #expect(FileAccess.reason(CocoaError(.fileReadNoPermission)) == "permission denied")
        #expect(FileAccess.reason(CocoaError(.fileWriteUnknown)) == "cannot be written")
        #expect(FileAccess.reason(CocoaError(.fileReadUnknown)) == "cannot be read")
        #expect(FileAccess.foundationMessage(FileAccessError(.notFound, path: "p")) == nil)
    }

    /// The same position words for every JSON file (config.json, tokenizer.json, …);
    /// oracle: the second comma is at 0-based offset 8.
    @Test func jsonSyntaxErrorsHaveAPosition() {
        let data = Data(#"{"a": 1,, "b": 2}"#.utf8)
        do {
            _ = try JSONSerialization.jsonObject(with: data)
            Issue.record("parsed invalid JSON")
        } catch {
            #expect(JSONSyntax.describe(data, error).contains("around character 8"), "\(JSONSyntax.describe(data, error))")
        }
        struct Thing: Decodable { let a: Int }
        do {
            _ = try JSONDecoder().decode(Thing.self, from: data)
            Issue.record("decoded invalid JSON")
        } catch {
            #expect(JSONSyntax.describe(data, error).contains("around character 8"), "\(JSONSyntax.describe(data, error))")
        }
    }
}
