import SpectraBase
import Checkpoints
import Foundation
import LinearAlgebra
import Postgres
import Queue

/// The directory where extract jobs leave pooled activation matrices for spectrum jobs:
/// shared storage on a cluster. A run records the root it was planned with; a worker that
/// mounts the store elsewhere overrides it (`--artifacts`, `SPECTRA_ARTIFACTS`).
public struct ArtifactStore: Sendable, Equatable {
    public let root: URL

    public init(root: String) {
        self.root = URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL
    }

    /// `--artifacts`, else `SPECTRA_ARTIFACTS`, else `.spectra/artifacts` beside the embedded database.
    public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> ArtifactStore {
        if let explicit, !explicit.isEmpty { return ArtifactStore(root: explicit) }
        if let variable = environment["SPECTRA_ARTIFACTS"], !variable.isEmpty { return ArtifactStore(root: variable) }
        return ArtifactStore(root: ".spectra/artifacts")
    }

    /// Where the matrix of one hidden-state index and pooling lives, relative to the root.
    public static func relativePath(run: Int64, checkpoint: Int64, pooling: String, layer: Int) -> String {
        checkpointDirectory(run: run, checkpoint: checkpoint) + "/\(pooling)/" + layerFileName(layer)
    }

    /// Everything one checkpoint of one run keeps in the store, relative to the root.
    public static func checkpointDirectory(run: Int64, checkpoint: Int64) -> String {
        "run-\(run)/ckpt-\(checkpoint)"
    }

    /// Where an extract job's saved progress lives: under the checkpoint, one folder per lease.
    static func partialDirectory(run: Int64, checkpoint: Int64) -> String {
        checkpointDirectory(run: run, checkpoint: checkpoint) + "/partial"
    }

    /// `layer-07.npy`: the hidden-state index, two digits at least.
    public static func layerFileName(_ layer: Int) -> String {
        layer < 10 ? "layer-0\(layer).npy" : "layer-\(layer).npy"
    }

    public func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    /// Writes the matrix atomically and returns the SHA-256 of the bytes written. A full
    /// disk or an I/O error throws `ArtifactStoreFault`; other failures `CheckpointError`.
    public func write(_ matrix: Matrix<Float>, at relativePath: String) throws -> String {
        let data = NumpyWriter.encode(matrix)
        try ArtifactFileWriter.writeAtomically(data, to: url(relativePath))
        return SHA256.hexDigest(data)
    }

    /// Checks that the file at `relativePath` exists and hashes to `sha256`; the error is
    /// one that sends the extract job that wrote it back to the queue.
    public func verify(_ relativePath: String, sha256: String) throws(ArtifactError) -> URL {
        let file = url(relativePath)
        let data: Data
        do {
            data = try FileAccess.read(file.path)
        } catch {
            throw ArtifactError("artifact \(file.path): \(error.reason)")
        }
        let actual = SHA256.hexDigest(data)
        guard actual == sha256 else {
            throw ArtifactError("artifact \(file.path) does not match its checksum (sha256 \(actual.prefix(16))…, recorded \(sha256.prefix(16))…)")
        }
        return file
    }

    /// Reads back a matrix this store wrote (partial progress of a preempted extract).
    public func read(_ relativePath: String, sha256: String) throws(ArtifactError) -> Matrix<Float> {
        let file = try verify(relativePath, sha256: sha256)
        do {
            return try NumpyFile(url: file).matrix()
        } catch {
            throw ArtifactError("artifact \(file.path): \(error.message)")
        }
    }
}

/// An artifact that is missing or changed: its extract job must run again.
public struct ArtifactError: RedoDependencyFailure, CustomStringConvertible {
    public let description: String

    init(_ message: String) {
        description = message
    }
}
